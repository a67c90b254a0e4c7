"""Applying, deciding, cancelling: the rules of applications and the emails they send."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Application
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Application.Status


@pytest.fixture
def apply(committed):
    def call(event, member, **fields):
        fields.setdefault("motivation", "I run our force's social media.")
        fields.setdefault("stakeholder_type", "law_enforcement")
        return committed(services.application_create, event=event, member=member, **fields)

    return call


def test_an_application_waits_for_the_organiser(event, member, apply):
    application = apply(event, member)
    assert application.status == Status.APPLIED
    assert "received your application" in mail.outbox[-1].body


def test_applying_twice_is_refused(event, member, apply):
    apply(event, member)
    with pytest.raises(services.ApplicationRefused, match="already"):
        apply(event, member)
    assert Application.objects.count() == 1


def test_the_database_holds_one_active_application_per_member(event, member, apply):
    apply(event, member)
    with pytest.raises(IntegrityError):
        Application.objects.create(event=event, member=member, stakeholder_type="citizen")


def test_applying_after_the_deadline_is_refused(member, apply):
    event = make_event(application_deadline=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(services.ApplicationRefused, match="closed"):
        apply(event, member)


def test_an_open_event_accepts_up_to_capacity_then_waitlists(apply):
    event = make_event(registration_mode="open", capacity=2)
    first, second, third, fourth = (UserFactory() for _ in range(4))
    assert apply(event, first).status == Status.ACCEPTED
    assert apply(event, second).status == Status.ACCEPTED
    waiting = apply(event, third)
    assert (waiting.status, waiting.waitlist_position) == (Status.WAITLISTED, 1)
    assert apply(event, fourth).waitlist_position == 2


def test_cancelling_moves_the_first_waitlisted_up_and_tells_them(apply, committed):
    event = make_event(registration_mode="open", capacity=1)
    first, second = UserFactory(email="first@example.eu"), UserFactory(email="second@example.eu")
    accepted = apply(event, first)
    apply(event, second)
    mail.outbox.clear()
    committed(services.application_cancel, application=accepted, member=first)
    moved = Application.objects.get(member=second)
    assert (moved.status, moved.waitlist_position) == (Status.ACCEPTED, None)
    assert [m.to for m in mail.outbox] == [["second@example.eu"]]
    assert mail.outbox[0].attachments[0][0].endswith(".ics")


def test_cancelling_after_the_deadline_is_refused(member, apply):
    event = make_event(application_deadline=timezone.now() + datetime.timedelta(minutes=1))
    application = apply(event, member)
    later = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(services.ApplicationRefused, match="deadline"):
        services.application_cancel(application=application, member=member, now=later)


def test_a_member_cannot_cancel_someone_elses_application(event, member, apply):
    application = apply(event, member)
    with pytest.raises(services.ApplicationRefused):
        services.application_cancel(application=application, member=UserFactory())


def test_the_organiser_accepts_with_a_message_and_an_ics_file(event, member, apply, committed):
    organiser = make_organiser()
    application = apply(event, member)
    mail.outbox.clear()
    committed(
        services.application_decide,
        application=application,
        organiser=organiser,
        status="accepted",
        message="Welcome!",
    )
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (Status.ACCEPTED, organiser)
    (message,) = mail.outbox
    assert "Welcome!" in message.body
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar"
    (vevent,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["summary"]) == event.title


def test_accepting_beyond_capacity_is_refused(apply):
    event = make_event(capacity=1)
    organiser = make_organiser()
    one, two = apply(event, UserFactory()), apply(event, UserFactory())
    services.application_decide(application=one, organiser=organiser, status="accepted")
    with pytest.raises(services.ApplicationRefused, match="full"):
        services.application_decide(application=two, organiser=organiser, status="accepted")


def test_the_stakeholder_mix_counts_applications_and_acceptances(event, apply):
    organiser = make_organiser()
    police = apply(event, UserFactory(), stakeholder_type="law_enforcement")
    apply(event, UserFactory(), stakeholder_type="law_enforcement")
    apply(event, UserFactory(), stakeholder_type="research")
    services.application_decide(application=police, organiser=organiser, status="accepted")
    mix = {
        row["label"]: (row["active"], row["accepted"]) for row in services.stakeholder_mix(event)
    }
    assert mix == {"Law-enforcement agency": (2, 1), "Research and academia": (1, 0)}


def test_declined_applications_are_erased_after_the_retention_period(
    event, member, settings, apply
):
    settings.EVENT_DECLINED_RETENTION_DAYS = 180
    application = apply(event, member)
    services.application_decide(
        application=application, organiser=make_organiser(), status="declined"
    )
    from community.services.privacy import retention_apply

    assert retention_apply()["event_applications"] == 0
    later = timezone.now() + datetime.timedelta(days=181)
    assert retention_apply(now=later)["event_applications"] == 1
    assert not Application.objects.exists()


def test_applications_are_in_the_export_and_go_with_the_account(event, member, apply):
    from community.services.exports import member_data
    from community.services.privacy import account_erase

    apply(event, member)
    assert member_data(member)["event_applications"][0]["event__title"] == event.title
    account_erase(user=member, initiator="member")
    assert not Application.objects.exists()


def test_the_privacy_notice_names_the_retention_of_declined_applications(settings, client):
    from community.services.privacy import retention_periods

    settings.EVENT_DECLINED_RETENTION_DAYS = 90
    assert {"what": "Declined applications to events", "days": 90} in retention_periods()
    page = client.get("/privacy/").content.decode()
    assert "Declined applications to events" in page
