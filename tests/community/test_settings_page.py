"""The member's own account page under /settings/."""

import pytest
from django.urls import reverse

from community.models import StakeholderType

pytestmark = pytest.mark.django_db


def test_settings_needs_a_signed_in_member(client):
    response = client.get(reverse("community:settings"))
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/settings/"


def test_member_edits_their_stakeholder_profile(client, member):
    client.force_login(member)
    response = client.post(
        reverse("community:settings"),
        {
            "user-display_name": "Inspector Maria Lopez",
            "profile-stakeholder_type": StakeholderType.LAW_ENFORCEMENT,
            "profile-organisation": "Policía Local",
            "profile-role": "Community liaison",
        },
        follow=True,
    )
    assert b"Your profile was saved." in response.content
    member.refresh_from_db()
    assert member.get_display_name() == "Inspector Maria Lopez"
    assert member.profile.organisation == "Policía Local"
    assert member.profile.stakeholder_type == StakeholderType.LAW_ENFORCEMENT


def test_invalid_profile_keeps_what_was_typed(client, member):
    client.force_login(member)
    response = client.post(
        reverse("community:settings"),
        {
            "user-display_name": "Maria",
            "profile-stakeholder_type": "spy-agency",
            "profile-organisation": "Kept organisation",
        },
    )
    assert response.status_code == 200
    assert b"Select a valid choice." in response.content
    assert b'value="Kept organisation"' in response.content
    member.refresh_from_db()
    assert member.display_name != "Maria"
