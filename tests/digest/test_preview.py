"""A member's preview of their next digest: the real builder, their view, the period under way."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digest.content import build
from digest.periods import next_period_for, period_for
from tests.factories import (
    ForumFactory,
    UserFactory,
    backdate,
    make_case_study,
    make_thread,
    make_verified,
    subscribe,
)

pytestmark = pytest.mark.django_db

PREVIEW = "/settings/digest/preview/"


@pytest.fixture
def member(db):
    user = UserFactory(username="member")
    subscribe(user, "weekly")
    return user


@pytest.fixture
def author(db):
    return UserFactory(username="author")


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(PREVIEW)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={PREVIEW}"


def test_the_settings_page_links_to_the_preview(client, member):
    client.force_login(member)
    html = client.get(reverse("digest:settings")).content.decode()
    assert f'href="{PREVIEW}"' in html


def test_the_preview_shows_what_the_next_digest_would_send_and_nothing_hidden(
    client, member, author
):
    for audience in ["public", "members", "verified", "group"]:
        make_thread(ForumFactory(audience=audience), author, title=f"New {audience} thread")
    make_thread(ForumFactory(), member, title="My own thread")
    make_case_study("Open case study")
    make_case_study("Verified case study", audience="verified")
    last_start, _last_end = period_for("weekly")
    sent_already = make_thread(ForumFactory(), author, title="Sent last week")
    backdate(sent_already, last_start + datetime.timedelta(hours=1))

    client.force_login(member)
    html = client.get(PREVIEW).content.decode()
    for shown in ["New public thread", "New members thread", "Open case study"]:
        assert shown in html
    for hidden in ["New verified thread", "New group thread", "Verified case study"]:
        assert hidden not in html
    assert "My own thread" not in html
    assert "Sent last week" not in html  # the period already sent is not the next digest

    # Exactly what the builder puts in the digest sent at the end of the period under way.
    start, end = next_period_for("weekly")
    digest = build(user=member, kind="weekly", period_start=start, period_end=end)
    titles = [item.title for item in digest.case_studies + digest.new_threads]
    assert sorted(titles) == ["New members thread", "New public thread", "Open case study"]
    assert digest.subject in html


def test_a_verified_practitioner_sees_what_they_may_see(client, member, author):
    make_verified(member)
    make_thread(ForumFactory(audience="verified"), author, title="New verified thread")
    client.force_login(member)
    assert "New verified thread" in client.get(PREVIEW).content.decode()


def test_a_member_without_the_digest_sees_what_a_weekly_one_would_hold(client, author):
    reader = UserFactory(username="reader")
    make_thread(ForumFactory(), author, title="New public thread")
    client.force_login(reader)
    html = client.get(PREVIEW).content.decode()
    assert "You do not get the digest" in html
    assert "New public thread" in html


def test_an_empty_preview_says_nothing_would_be_sent(client, member):
    client.force_login(member)
    assert "An empty digest is not sent." in client.get(PREVIEW).content.decode()


def queries(client):
    with CaptureQueriesContext(connection) as counted:
        response = client.get(PREVIEW)
    assert response.status_code == 200
    return len(counted)


def test_the_preview_costs_a_fixed_number_of_queries(client, member, author):
    client.force_login(member)
    make_thread(ForumFactory(), author, title="Warm-up")
    make_case_study("Warm-up case study")
    client.get(PREVIEW)  # the member's cached facts
    few = queries(client)
    for number in range(6):
        make_thread(ForumFactory(), author, title=f"Thread {number}", replies=2)
        make_case_study(f"Case study {number}")
    client.get(PREVIEW)  # the header's unread count, cached under the forums' content version
    assert queries(client) == few == QUERIES


QUERIES = (
    13  # the same however many items: the builder (events section included) costs a fixed number
)
