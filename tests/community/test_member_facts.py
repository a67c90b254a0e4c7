"""The facts every signed-in request asks (roles, TOTP, a verified address) come from the cache,
and a change to any of them shows on the member's very next request."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import ForumFactory, make_thread

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/"


def test_a_new_role_asks_for_two_factor_at_once_and_a_device_lets_the_member_on(client, member):
    client.force_login(member)
    assert client.get(SETTINGS).status_code == 200  # the facts are cached now
    member.groups.add(Group.objects.get(name="Moderators"))
    assert client.get(SETTINGS).url == reverse("mfa_activate_totp")
    TOTP.activate(member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert client.get(SETTINGS).status_code == 200
    # The moderator's header shows the review queue: the role is known to the page too.
    assert 'href="/moderation/"' in client.get("/forums/").text


def test_a_role_taken_away_or_renamed_counts_at_once(client, member):
    moderators = Group.objects.get(name="Moderators")
    member.groups.add(moderators)
    TOTP.activate(member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(member)
    assert 'href="/moderation/"' in client.get("/forums/").text
    moderators.user_set.remove(member)
    assert 'href="/moderation/"' not in client.get("/forums/").text
    member.groups.add(moderators)
    assert 'href="/moderation/"' in client.get("/forums/").text
    moderators.name = "Former moderators"
    moderators.save()
    assert 'href="/moderation/"' not in client.get("/forums/").text


def test_an_address_no_longer_verified_closes_the_reply_form_at_once(client, member):
    thread = make_thread(ForumFactory(audience="public"))
    client.force_login(member)
    assert 'id="id_body"' in client.get(thread.get_absolute_url()).text
    EmailAddress.objects.filter(user=member).delete()
    page = client.get(thread.get_absolute_url()).text
    assert 'id="id_body"' not in page
    assert "Confirm your email address to take part" in page


def test_joining_or_leaving_a_working_group_opens_or_closes_its_forum_at_once(client, member):
    from community.models import WorkingGroup, WorkingGroupMembership

    group = WorkingGroup.objects.create(name="Cyber patrol", slug="cyber-patrol")
    forum = ForumFactory(audience="group", group=group)
    client.force_login(member)
    assert client.get(forum.get_absolute_url()).status_code == 404
    membership = WorkingGroupMembership.objects.create(
        user=member, group=group, status=WorkingGroupMembership.Status.MEMBER
    )
    assert client.get(forum.get_absolute_url()).status_code == 200
    membership.delete()
    assert client.get(forum.get_absolute_url()).status_code == 404
