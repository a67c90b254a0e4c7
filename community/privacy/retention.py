"""Retention: what the portal keeps only for a while, erased by the hourly beat task.

The periods are settings (``RETENTION_*``, ``DATA_EXPORT_HOURS``) and the privacy notice shows
them from there (``retention_periods``), so the page cannot drift from what the code does.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import AccountErasure, ClientAddress, DataExport, User
from .erasure import account_erase


def retention_periods() -> list[dict]:
    """Return what is kept for how long, for the privacy notice."""
    return [
        {
            "what": _("Accounts whose email address was never confirmed"),
            "days": settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS,
        },
        {
            "what": _("Network (IP) addresses posts were written from, kept for abuse handling"),
            "days": settings.RETENTION_IP_ADDRESS_DAYS,
        },
        {"what": _("Data exports you ask for"), "hours": settings.DATA_EXPORT_HOURS},
        {
            "what": _("Answer to a request about a case study that concerns you"),
            "days": settings.PERSON_REQUEST_DUE_DAYS,
            "is_deadline": True,
        },
    ]


def unverified_accounts_erase(*, now=None) -> int:
    """Erase accounts older than the period whose email address was never confirmed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    doomed = User.objects.filter(
        date_joined__lt=cutoff, is_staff=False, is_superuser=False, last_login__isnull=True
    ).exclude(Exists(verified))
    count = 0
    for user in doomed.iterator():
        account_erase(user=user, initiator=AccountErasure.Initiator.RETENTION)
        count += 1
    return count


def client_addresses_erase(*, now=None) -> int:
    """Erase client addresses kept for abuse handling longer than the period."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_IP_ADDRESS_DAYS)
    return ClientAddress.objects.filter(created_at__lt=cutoff).delete()[0]


def expired_exports_erase(*, now=None) -> int:
    """Delete data exports (rows and files) whose link has expired."""
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(expires_at__lte=now).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


def retention_apply(*, now=None) -> dict:
    """Apply every retention period; return how many of each were erased."""
    return {
        "unverified_accounts": unverified_accounts_erase(now=now),
        "client_addresses": client_addresses_erase(now=now),
        "exports": expired_exports_erase(now=now),
    }
