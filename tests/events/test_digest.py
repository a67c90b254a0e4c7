"""Upcoming events in the weekly digest: only those the member may see."""

import pytest

from community.models import WorkingGroup
from digest.content import build
from digest.delivery import digest_message
from tests.events.conftest import make_event
from tests.factories import VISIBLE_AUDIENCES, digest_period, make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db):
    group = WorkingGroup.objects.create(name="Drones", slug="drones")
    made = {
        audience: make_event(
            f"Event for {audience}", audience=audience, group=group if audience == "group" else None
        )
        for audience in ["public", "members", "verified", "group"]
    }
    make_event("Event long past", days=-30)
    return made, group


def build_for(user, kind="weekly"):
    start, end = digest_period(kind)
    return build(user=user, kind=kind, period_start=start, period_end=end)


def event_titles(digest) -> list[str]:
    return [item.title for _title, items in digest.sections for item in items]


@pytest.mark.parametrize("actor", ["member", "verified", "group_member", "staff"])
def test_the_weekly_digest_lists_the_upcoming_events_the_member_may_see(events, actor):
    made, group = events
    digest = build_for(make_actor(actor, group=group))
    assert sorted(event_titles(digest)) == sorted(
        event.title for audience, event in made.items() if audience in VISIBLE_AUDIENCES[actor]
    )


def test_a_member_reads_the_events_in_the_email_and_not_the_verified_only_one(events):
    member = make_actor("member")
    message = digest_message(digest=build_for(member), message_id="<test@medi4sec.local>")
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Upcoming events" in text
        assert "Event for public" in text
        assert "Event for members" in text
        assert "Event for verified" not in text
        assert "Event long past" not in text
    assert "http://" in message.body.split("Event for members", 1)[1].splitlines()[1]


def test_events_alone_do_not_make_a_digest_worth_sending_and_daily_ones_have_none(events):
    member = make_actor("member")
    assert build_for(member).is_empty
    assert event_titles(build_for(member, kind="daily")) == []


def test_the_events_section_costs_the_same_queries_however_many_events(
    events, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = make_actor("staff")
    build_for(member)  # Wagtail's site root paths are cached once
    with CaptureQueriesContext(connection) as four:
        build_for(member)
    for number in range(3):
        make_event(f"One more {number}")
    with django_assert_num_queries(len(four)):
        assert len(event_titles(build_for(member))) == 5


def test_the_members_digest_preview_shows_the_events_they_may_see(events, client):
    client.force_login(make_actor("member"))
    page = client.get("/settings/digest/preview/").content.decode()
    assert "Upcoming events" in page
    assert "Event for members" in page
    assert "Event for verified" not in page
