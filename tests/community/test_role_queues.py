"""The header links each role holder to their queue, with what waits in it; members pay nothing."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import VerificationRequest
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread, make_verifier

pytestmark = pytest.mark.django_db


def queue_link(client, name):
    """Return the header's link text for the queue *name* ("" when there is none), spaces folded."""
    html = client.get("/forums/").content.decode()
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    for link in re.findall(r"<a class=\"account-nav__queue\".*?</a>", header, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", link).split())
        if text.startswith(name):
            return text
    return ""


def file_request(user):
    return VerificationRequest.objects.create(
        user=user,
        organisation="City of Example",
        role="Community safety officer",
        official_email=f"{user.username}@city.example.org",
        status=VerificationRequest.Status.PENDING,
    )


def test_a_verifier_sees_the_queue_count_change_when_a_request_is_filed_and_decided(client):
    client.force_login(make_verifier("vera"))
    assert queue_link(client, "Verification queue") == "Verification queue"
    request = file_request(UserFactory(username="ana"))
    file_request(UserFactory(username="bo"))
    assert queue_link(client, "Verification queue") == "Verification queue 2 waiting"
    request.status = VerificationRequest.Status.APPROVED
    request.save(update_fields=["status"])
    assert queue_link(client, "Verification queue") == "Verification queue 1 waiting"
    assert queue_link(client, "Review queue") == ""


def test_a_moderator_sees_flagged_posts_waiting(client):
    thread = make_thread(ForumFactory(), UserFactory(username="author"), replies=1)
    client.force_login(make_moderator("tomas"))
    assert queue_link(client, "Review queue") == "Review queue"
    flagger = UserFactory(username="flagger")
    reply = thread.posts.get(number=2)
    flagging = client.__class__()
    flagging.force_login(flagger)
    flagging.post(f"/p/{reply.pk}/flag/", {"reason": "spam"})
    assert queue_link(client, "Review queue") == "Review queue 1 waiting"
    assert queue_link(client, "Verification queue") == ""


def test_members_without_a_role_have_no_queue_links(client, member):
    client.force_login(member)
    assert queue_link(client, "") == ""


def queries_for_the_forum_index(client, user):
    client.force_login(user)
    client.get("/forums/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/forums/")
    return [query["sql"] for query in queries]


def test_the_counts_of_every_queue_come_in_one_query(client):
    """A role holder's header reads its permissions once and counts all its queues at once."""
    ForumFactory()
    member = queries_for_the_forum_index(client, UserFactory(username="plain"))
    holder = make_moderator("both")
    holder.groups.add(Group.objects.get(name="Verifiers"))
    role_holder = queries_for_the_forum_index(client, holder)
    counts = [sql for sql in role_holder if '"waiting"' in sql]
    assert len(counts) == 1
    assert all(table in counts[0] for table in ["community_post", "community_appeal"])
    assert "community_verificationrequest" in counts[0]
    permissions = [sql for sql in role_holder if "auth_permission" in sql]
    assert len(permissions) == 2  # the member's own and their groups', once for the request
    two_factor = [sql for sql in role_holder if "mfa_authenticator" in sql]  # the role's middleware
    assert len(role_holder) == len(member) + len(two_factor) + len(permissions) + len(counts)
