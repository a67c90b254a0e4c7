"""Who may see and do what: one rule, one place, used by views, querysets and templates alike."""

from django.conf import settings
from django.utils import timezone

from .models import Audience


def is_verified_practitioner(user) -> bool:
    """Return whether *user* is a practitioner whose verification has not expired."""
    if not user.is_authenticated:
        return False
    profile = getattr(user, "profile", None)
    return bool(
        profile and profile.verified_until and profile.verified_until >= timezone.localdate()
    )


def has_verified_email(user) -> bool:
    """Return whether *user* is signed in with a verified email address."""
    if not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def can_see_audience(user, audience, group_id=None, *, user_group_ids=frozenset()) -> bool:
    """Return whether *user* may see content published for *audience*."""
    if audience == Audience.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if audience == Audience.MEMBERS:
        return True
    if audience == Audience.VERIFIED:
        return is_verified_practitioner(user)
    if audience == Audience.GROUP:
        return group_id is not None and group_id in user_group_ids
    return False


def must_use_two_factor(user) -> bool:
    """Return whether *user* holds a role that may only be used with two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.MFA_REQUIRED_GROUPS).exists()
