import pytest

from events.demo import seed_events
from events.models import EventPage

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_past_and_two_upcoming_events_and_runs_twice(client):
    seed_events()
    seed_events()
    assert EventPage.objects.live().past().count() == 2
    upcoming = EventPage.objects.live().upcoming()
    assert {(e.audience, e.registration_mode) for e in upcoming} == {
        ("members", "open"),
        ("verified", "applications"),
    }
    assert client.get("/events/?when=past").content.decode().count("event-card") == 1


def test_events_go_through_the_review_workflow_of_case_studies():
    from tests.events.conftest import make_event

    event = make_event("Reviewed workshop", publish=False)
    assert event.get_workflow().name == "Case study review"
