"""Who sees which event, on every surface: page, listing, feeds, .ics feeds, sitemap."""

import pytest
from icalendar import Calendar

from community.models import WorkingGroup
from tests.events.conftest import make_event
from tests.factories import ACCESS_MATRIX, VISIBLE_AUDIENCES, make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db):
    group = WorkingGroup.objects.create(name="Drones", slug="drones")
    made = {}
    for audience in ["public", "members", "verified", "group"]:
        made[audience] = make_event(
            f"Event for {audience}",
            audience=audience,
            group=group if audience == "group" else None,
        )
    return made, group


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_the_event_page_and_listing_follow_the_audience(client, events, actor, audience):
    made, group = events
    user = make_actor(actor, group=group)
    if user:
        client.force_login(user)
    event = made[audience]
    may = audience in VISIBLE_AUDIENCES[actor]
    assert client.get(event.url).status_code == (200 if may else 404)
    assert (event.title in client.get("/events/").content.decode()) == may
    apply = client.post(
        f"/events/{event.pk}/apply/", {"motivation": "x", "stakeholder_type": "citizen"}
    )
    if user is not None:
        assert apply.status_code in ((302,) if may else (404,))


def test_feeds_and_sitemap_carry_public_events_only(client, events):
    made, _group = events
    ics = Calendar.from_ical(client.get("/events/feed.ics").content)
    assert [str(e["summary"]) for e in ics.walk("VEVENT")] == ["Event for public"]
    atom = client.get("/events/feed/").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    for audience, event in made.items():
        assert (event.title in atom) == (audience == "public")
        assert (event.url_path.split("/")[-2] in sitemap) == (audience == "public")


def test_the_private_feed_lists_accepted_events_and_a_new_address_revokes_it(client, events):
    from events import services
    from events.models import Application

    made, _group = events
    member = make_actor("verified")
    for audience in ["members", "verified"]:
        Application.objects.create(
            event=made[audience], member=member, stakeholder_type="citizen", status="accepted"
        )
    token = services.calendar_token_renew(member=member).token
    ics = Calendar.from_ical(client.get(f"/events/feeds/{token}.ics").content)
    assert sorted(str(e["summary"]) for e in ics.walk("VEVENT")) == [
        "Event for members",
        "Event for verified",
    ]
    services.calendar_token_renew(member=member)
    assert client.get(f"/events/feeds/{token}.ics").status_code == 404


def test_the_private_feed_drops_events_the_member_no_longer_sees(client, events):
    from events import services
    from events.models import Application

    made, _group = events
    member = make_actor("member")
    Application.objects.create(
        event=made["verified"], member=member, stakeholder_type="citizen", status="accepted"
    )
    token = services.calendar_token_renew(member=member).token
    ics = Calendar.from_ical(client.get(f"/events/feeds/{token}.ics").content)
    assert list(ics.walk("VEVENT")) == []


def test_an_ics_with_odd_characters_in_the_title_stays_valid(client, db):
    title = 'Trolls; "ugly" side, \\ émojis 🚓 and a very long title ' + "x" * 120
    make_event(title, slug="odd")
    body = client.get("/events/feed.ics").content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    (vevent,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["summary"]) == title


def test_the_organiser_queue_is_for_organisers_only(client, events):
    from tests.events.conftest import make_organiser

    made, _group = events
    client.force_login(make_actor("verified"))
    assert client.get("/events/organise/").status_code == 404
    assert client.get(f"/events/organise/{made['public'].pk}/").status_code == 404
    client.force_login(make_organiser())
    assert client.get(f"/events/organise/{made['members'].pk}/").status_code == 200
    # An organiser who may not see a group's event does not organise it either.
    assert client.get(f"/events/organise/{made['group'].pk}/").status_code == 404


@pytest.mark.parametrize("actor", ["anonymous", "member", "verified"])
def test_the_home_page_shows_the_upcoming_events_the_viewer_may_see(client, events, actor):
    made, group = events
    user = make_actor(actor, group=group)
    if user:
        client.force_login(user)
    home = client.get("/").content.decode()
    for audience, event in made.items():
        assert (event.title in home) == (audience in VISIBLE_AUDIENCES[actor])


def test_an_organiser_without_two_factor_is_sent_to_set_it_up(client, events):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    made, _group = events
    organiser = UserFactory(username="no-totp")
    organiser.groups.add(Group.objects.get(name="Organisers"))
    client.force_login(organiser)
    response = client.get(f"/events/organise/{made['members'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
