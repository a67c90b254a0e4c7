"""Applying and deciding through the pages: clear messages, typed text kept, never a 500;
reminders sent once; query counts of the listing and the event page pinned."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import Application
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def post_apply(client, event, **data):
    data.setdefault("motivation", "I train officers in community policing online.")
    data.setdefault("stakeholder_type", "law_enforcement")
    return client.post(f"/events/{event.pk}/apply/", data)


def test_a_member_applies_and_sees_their_status(
    client, member, event, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_apply(client, event)
    assert response.status_code == 302
    page = client.get(event.url).content.decode()
    assert "Your application: Applied." in page
    assert "Cancel my application" in page


def test_an_empty_motivation_keeps_the_choice_and_says_why(client, member, event):
    client.force_login(member)
    response = post_apply(client, event, motivation="", stakeholder_type="research")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert '<option value="research" selected>' in page


def test_applying_twice_says_so_and_keeps_the_text(client, member, event):
    client.force_login(member)
    post_apply(client, event)
    response = post_apply(client, event, motivation="Second try, same words.")
    assert response.status_code == 400
    page = response.content.decode()
    assert "You have applied to this event already." in page
    assert "Second try, same words." in page


def test_applying_to_a_full_event_says_where_the_member_stands(client, member):
    event = make_event(registration_mode="open", capacity=1)
    services.application_create(
        event=event, member=UserFactory(), motivation="m", stakeholder_type="research"
    )
    client.force_login(member)
    page = post_apply(client, event, motivation="Room for one more?")
    page = client.get(page["Location"]).content.decode()
    assert "Thank you: your application is on the waiting list." in page
    assert "Place on the waiting list: 1." in page


def test_applying_after_the_deadline_says_so(client, member):
    event = make_event(application_deadline=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(member)
    response = post_apply(client, event, motivation="Late, sorry.")
    assert response.status_code == 400
    assert "Applications for this event closed" in response.content.decode()
    assert "Late, sorry." in response.content.decode()


def test_bad_input_never_answers_500(client, member, event):
    client.force_login(member)
    assert post_apply(client, event, stakeholder_type="wizard").status_code == 400
    assert client.post(f"/events/{event.pk}/cancel/").status_code == 302
    assert client.post("/events/999999/apply/", {}).status_code == 404
    assert client.get(f"/events/{event.pk}/apply/").status_code == 405
    assert (
        client.get("/events/?kind=nope&theme=%00&country=ZZ&language=xx&page=abc").status_code
        == 200
    )


def test_the_organiser_decides_and_the_member_is_told(
    client, event, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="applicant@example.eu")
    application = services.application_create(
        event=event, member=applicant, motivation="m", stakeholder_type="research"
    )
    client.force_login(make_organiser())
    page = client.get(f"/events/organise/{event.pk}/").content.decode()
    assert "Research and academia" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/organise/applications/{application.pk}/",
            {"status": "accepted", "message": "See you in Brussels."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "accepted"
    assert mail.outbox[-1].to == ["applicant@example.eu"]
    assert "See you in Brussels." in mail.outbox[-1].body


def test_reminders_go_out_once_a_week_and_a_day_before(django_capture_on_commit_callbacks):
    event = make_event(days=6)
    member = UserFactory(email="participant@example.eu")
    Application.objects.create(
        event=event, member=member, stakeholder_type="citizen", status="accepted"
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_queue()
    assert [m.subject.split(": ", 1)[0][-9:] for m in mail.outbox] == ["In a week"]
    day_before = event.start_at - datetime.timedelta(hours=12)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_queue(now=day_before)
    assert len(mail.outbox) == 2
    assert "Tomorrow" in mail.outbox[1].subject


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_listing_and_the_event_page_take_a_fixed_number_of_queries(client, member):
    client.force_login(member)
    first = make_event("First", themes=["trolling"])
    client.get("/events/")  # warm the site and session caches
    listing, page = query_count(client, "/events/"), query_count(client, first.url)
    for n in range(4):
        make_event(f"More {n}", themes=["trolling"])
    assert query_count(client, "/events/") == listing
    assert query_count(client, first.url) == page
    # A signed-in member, on PostgreSQL+Redis and on SQLite alike.
    assert (listing, page) == (12, 18)


def test_reminders_are_written_in_the_members_language_whatever_the_worker_speaks(
    django_capture_on_commit_callbacks,
):
    from django.utils import translation
    from django.utils.formats import date_format

    event = make_event(days=6, time_zone="Europe/Lisbon")
    member = UserFactory(email="participant@example.eu")
    Application.objects.create(
        event=event, member=member, stakeholder_type="citizen", status="accepted"
    )
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        services.reminders_queue()
    (message,) = mail.outbox
    local = timezone.localtime(event.start_at, event.zone)
    with translation.override("en"):
        expected = date_format(local, "DATETIME_FORMAT")
    assert message.subject.endswith(f"In a week: {event.title}")
    assert f"{expected} (Europe/Lisbon)" in message.body


def test_the_event_page_shows_the_times_in_the_events_time_zone(client):
    from django.utils.formats import date_format

    event = make_event(time_zone="Europe/Lisbon")
    page = client.get(event.url).content.decode()
    lisbon = date_format(timezone.localtime(event.start_at, event.zone), "DATETIME_FORMAT")
    brussels = date_format(timezone.localtime(event.start_at), "DATETIME_FORMAT")
    assert f">{lisbon}</time>" in page
    assert f">{brussels}</time>" not in page
    assert "(Europe/Lisbon)" in page
