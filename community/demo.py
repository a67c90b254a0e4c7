"""Demo content for ``manage.py seed_demo``: idempotent, clearly marked as demo."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import Profile, StakeholderType, User

DEMO_PASSWORD = "demo-portal-2026"
DEMO_DOMAIN = "demo.medi4sec.eu"


@dataclass(frozen=True)
class DemoMember:
    username: str
    display_name: str
    stakeholder_type: str
    organisation: str
    role: str
    label: str = ""
    group: str = ""
    is_verified: bool = False
    totp_secret: str = ""

    @property
    def email(self):
        return f"{self.username}@{DEMO_DOMAIN}"


DEMO_MEMBERS = [
    DemoMember(
        "mira",
        "Mira Jansen (demo)",
        StakeholderType.CITIZEN,
        "",
        "Neighbourhood watch volunteer",
        label="member",
    ),
    DemoMember(
        "jan",
        "Jan de Vries (demo)",
        StakeholderType.LAW_ENFORCEMENT,
        "Demo Regional Police",
        "Social media coordinator",
        label="verified practitioner",
        is_verified=True,
    ),
    DemoMember(
        "elena",
        "Elena Rossi (demo)",
        StakeholderType.RESEARCH,
        "Demo University",
        "Researcher, policing and social media",
        label="editor",
        group="Editors",
        totp_secret="DEMOEDITORTOTPKEYMEDIAFORSECAAAA",
    ),
    DemoMember(
        "tomas",
        "Tomas Novak (demo)",
        StakeholderType.CIVIL_SOCIETY,
        "Demo Online Safety NGO",
        "Community manager",
        label="moderator",
        group="Moderators",
        totp_secret="DEMOMODERATORTOTPKEYMEDIAFORSECA",
    ),
    DemoMember(
        "sofia",
        "Sofia Lindqvist (demo)",
        StakeholderType.PUBLIC_AUTHORITY,
        "Demo City Council",
        "Public safety policy officer",
    ),
    DemoMember(
        "luca",
        "Luca Bianchi (demo)",
        StakeholderType.SECURITY_ORGANISATION,
        "Demo Civil Protection Agency",
        "Crisis communication lead",
    ),
    DemoMember(
        "amira",
        "Amira Haddad (demo)",
        StakeholderType.BUSINESS,
        "Demo Trust & Safety Ltd",
        "Trust and safety analyst",
    ),
    DemoMember(
        "pieter",
        "Pieter Claes (demo)",
        StakeholderType.MEDIA,
        "Demo Broadcaster",
        "Security correspondent",
    ),
]


@transaction.atomic
def seed_members():
    """Create or refresh the demo members; return them with their accounts."""
    seeded = []
    for demo in DEMO_MEMBERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"email": demo.email, "display_name": demo.display_name},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        verified_until = (
            timezone.localdate() + datetime.timedelta(days=365) if demo.is_verified else None
        )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "stakeholder_type": demo.stakeholder_type,
                "organisation": demo.organisation,
                "role": demo.role,
                "verified_until": verified_until,
            },
        )
        if demo.group:
            user.groups.add(Group.objects.get(name=demo.group))
        if (
            demo.totp_secret
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, demo.totp_secret)
        seeded.append((demo, user))
    return seeded
