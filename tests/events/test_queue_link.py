"""Organisers get a header link to the applications waiting for them, with the count."""

import pytest

from community.models import WorkingGroup
from events import services
from events.models import Application
from tests.community.test_role_queues import queue_link
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory, make_actor

pytestmark = pytest.mark.django_db


def apply(event, username):
    return services.application_create(
        event=event,
        member=UserFactory(username=username),
        motivation="",
        stakeholder_type="citizen",
    )


def test_an_organiser_sees_the_applications_waiting_and_the_count_follows_decisions(client):
    event = make_event("Rumour workshop", audience="members")
    organiser = make_organiser()
    client.force_login(organiser)
    assert queue_link(client, "Applications") == "Applications"
    first = apply(event, "ana")
    apply(event, "bo")
    assert queue_link(client, "Applications") == "Applications 2 waiting"
    services.application_decide(
        application=first, organiser=organiser, status="accepted", message=""
    )
    assert queue_link(client, "Applications") == "Applications 1 waiting"


def test_applications_to_past_or_unseen_events_do_not_count_and_members_get_no_link(client):
    group = WorkingGroup.objects.create(name="Drones", slug="drones")
    for event, username in [
        (make_event("Long past", days=-30), "ana"),
        (make_event("Group only", audience="group", group=group), "bo"),
        (make_event("Members workshop", audience="members"), "cy"),
    ]:
        Application.objects.create(
            event=event, member=UserFactory(username=username), stakeholder_type="citizen"
        )
    client.force_login(make_organiser())
    assert queue_link(client, "Applications") == "Applications 1 waiting"
    client.force_login(make_actor("member"))
    assert queue_link(client, "Applications") == ""
