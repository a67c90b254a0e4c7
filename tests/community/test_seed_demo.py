"""The demo content that `make run` loads."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.management import call_command

from community import permissions
from community.demo import DEMO_PASSWORD
from community.models import Profile, StakeholderType, User

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_demo_twice_creates_no_duplicates():
    seed()
    counts = (
        User.objects.count(),
        Profile.objects.count(),
        EmailAddress.objects.count(),
        Authenticator.objects.count(),
    )
    seed()
    assert (
        User.objects.count(),
        Profile.objects.count(),
        EmailAddress.objects.count(),
        Authenticator.objects.count(),
    ) == counts
    assert counts[0] == 9


def test_demo_members_cover_every_stakeholder_type_and_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert set(Profile.objects.values_list("stakeholder_type", flat=True)) == set(
        StakeholderType.values
    )
    for label in ["member", "verified practitioner", "editor", "moderator"]:
        assert label in out
    assert DEMO_PASSWORD in out
    jan = User.objects.get(username="jan")
    assert permissions.is_verified_practitioner(jan)
    assert jan.check_password(DEMO_PASSWORD)
    assert not permissions.is_verified_practitioner(User.objects.get(username="mira"))
    assert Group.objects.get(name="Editors").user_set.filter(username="elena").exists()
    # Two moderators: an appeal against one's decision is decided by the other.
    moderators = Group.objects.get(name="Moderators").user_set.values_list("username", flat=True)
    assert set(moderators) == {"tomas", "ines"}
    assert Authenticator.objects.filter(user__username="ines").exists()
    # Editors and moderators can sign in at once: their two-factor device is part of the demo.
    assert Authenticator.objects.filter(user__username__in=["elena", "tomas"]).count() == 2
