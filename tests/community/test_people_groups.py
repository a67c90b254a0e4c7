"""Working groups: members ask to join, a manager decides, the group forum opens."""

import pytest
from django.core import mail
from django.urls import reverse

from community.models import WorkingGroupMembership
from tests.factories import (
    ForumFactory,
    UserFactory,
    WorkingGroupFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return WorkingGroupFactory(name="Crisis communication", slug="crisis")


def test_member_asks_to_join_and_staff_accepts(client, group, django_capture_on_commit_callbacks):
    forum = ForumFactory(audience="group", group=group)
    member = UserFactory(username="nina", email="nina@example.eu", display_name="Nina")
    client.force_login(member)
    page = client.get(reverse("community:group_detail", args=["crisis"]))
    assert b"Request to join" in page.content
    assert client.get(forum.get_absolute_url()).status_code == 404
    assert client.get(reverse("community:group_join", args=["crisis"])).status_code == 405

    response = client.post(reverse("community:group_join", args=["crisis"]), follow=True)
    assert b"Your request to join is sent" in response.content
    membership = WorkingGroupMembership.objects.get(user=member)
    assert membership.status == "requested"
    assert client.get(forum.get_absolute_url()).status_code == 404

    client.force_login(make_staff())
    queue = client.get(reverse("community:group_list"))
    assert b"Nina asks to join Crisis communication" in queue.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:group_membership_decide", args=[membership.pk]),
            {"decision": "accept"},
        )
    assert WorkingGroupMembership.objects.get(user=member).status == "member"
    assert mail.outbox[-1].to == ["nina@example.eu"]
    assert "You are now a member of Crisis communication" in mail.outbox[-1].body

    client.force_login(member)
    assert client.get(forum.get_absolute_url()).status_code == 200


def test_declined_request_is_removed_and_the_member_told(
    client, group, django_capture_on_commit_callbacks
):
    member = UserFactory(email="omar@example.eu")
    membership = WorkingGroupMembership.objects.create(group=group, user=member)
    client.force_login(make_staff())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:group_membership_decide", args=[membership.pk]),
            {"decision": "decline"},
        )
    assert not WorkingGroupMembership.objects.exists()
    assert "was declined" in mail.outbox[-1].body


def test_members_cannot_decide_requests(client, group):
    membership = WorkingGroupMembership.objects.create(group=group, user=UserFactory())
    client.force_login(UserFactory())
    response = client.post(
        reverse("community:group_membership_decide", args=[membership.pk]),
        {"decision": "accept"},
    )
    assert response.status_code == 404
    assert WorkingGroupMembership.objects.get().status == "requested"


def test_a_closed_group_takes_no_requests(client, group):
    group.is_open_to_requests = False
    group.save()
    client.force_login(UserFactory())
    response = client.post(reverse("community:group_join", args=["crisis"]), follow=True)
    assert b"does not take requests to join" in response.content
    assert not WorkingGroupMembership.objects.exists()
