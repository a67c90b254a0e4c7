"""Who sees the participant list: organisers see every accepted participant; an accepted
participant sees the others who opted in; nobody else sees anyone."""

import re

import pytest

from events import services
from events.models import Application
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Application.Status


def enrol(event, name, status, *, is_listed=False):
    member = UserFactory(username=name.split()[0].lower(), display_name=name)
    Application.objects.create(
        event=event,
        member=member,
        stakeholder_type="research",
        status=status,
        is_listed=is_listed,
        waitlist_position=1 if status == Status.WAITLISTED else None,
    )
    return member


@pytest.fixture
def event(db):
    event = make_event(audience="members", capacity=20)
    enrol(event, "Lena Listed", Status.ACCEPTED, is_listed=True)
    enrol(event, "Hugo Hidden", Status.ACCEPTED)
    enrol(event, "Wanda Waiting", Status.WAITLISTED, is_listed=True)
    enrol(event, "Carl Cancelled", Status.CANCELLED, is_listed=True)
    return event


def make_viewer(event, actor):
    """Return the viewer *actor* names (None: anonymous), enrolled as the name says."""
    statuses = {
        "applicant": Status.APPLIED,
        "waitlisted": Status.WAITLISTED,
        "cancelled": Status.CANCELLED,
        "declined": Status.DECLINED,
        "participant": Status.ACCEPTED,
        "listed_participant": Status.ACCEPTED,
    }
    if actor == "anonymous":
        return None
    if actor == "organiser":
        return make_organiser()
    if actor == "member":
        return UserFactory(username="viewer", display_name="Viewer")
    return enrol(event, "Viewer", statuses[actor], is_listed=actor == "listed_participant")


# Who each viewer sees listed (the viewer is "Viewer", listed when they opted in and accepted).
EXPECTED = {
    "anonymous": [],
    "member": [],
    "applicant": [],
    "waitlisted": [],
    "cancelled": [],
    "declined": [],
    "participant": ["Lena Listed"],
    "listed_participant": ["Lena Listed", "Viewer"],
    "organiser": ["Hugo Hidden", "Lena Listed"],
}


def listed_names(page: str) -> list[str]:
    found = re.search(r'<ul id="participant-list">(.*?)</ul>', page, re.S)
    return sorted(re.findall(r"<li>(.*?)</li>", found.group(1))) if found else []


@pytest.mark.parametrize(("actor", "expected"), EXPECTED.items())
def test_the_participant_list_follows_the_opt_in(client, event, actor, expected):
    viewer = make_viewer(event, actor)
    if viewer:
        client.force_login(viewer)
    page = client.get(event.url).content.decode()
    assert listed_names(page) == expected
    names = sorted(
        a.member.get_display_name()
        for a in Application.objects.participants_visible_to(
            viewer or _anonymous(), event
        ).select_related("member")
    )
    assert names == expected
    assert "Hugo Hidden" not in page or actor == "organiser"


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_a_member_opts_in_when_applying_and_changes_their_mind(
    client, django_capture_on_commit_callbacks
):
    event = make_event(registration_mode="open")
    member = UserFactory(username="mira", display_name="Mira")
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/events/{event.pk}/apply/",
            {"motivation": "Hello", "stakeholder_type": "research", "is_listed": "on"},
        )
    assert Application.objects.get(member=member).is_listed
    other = enrol(event, "Otto Other", Status.ACCEPTED)
    client.force_login(other)
    assert listed_names(client.get(event.url).content.decode()) == ["Mira"]
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/participants/listing/", {}, follow=True)
    assert "Your choice is saved." in response.content.decode()
    assert not Application.objects.get(member=member).is_listed
    client.force_login(other)
    assert listed_names(client.get(event.url).content.decode()) == []


def test_opting_in_without_an_application_or_for_a_hidden_event_is_refused(client):
    event = make_event(audience="verified")
    open_event = make_event("Open to members", audience="members")
    member = UserFactory()
    client.force_login(member)
    assert (
        client.post(f"/events/{event.pk}/participants/listing/", {"is_listed": "on"}).status_code
        == 404
    )
    response = client.post(
        f"/events/{open_event.pk}/participants/listing/", {"is_listed": "on"}, follow=True
    )
    assert "You have no application to this event." in response.content.decode()
    with pytest.raises(services.ApplicationRefused):
        services.application_listing_set(application=None, member=member, is_listed=True)


def test_the_choice_is_in_the_data_export(event):
    from community.services.exports import member_data

    lena = Application.objects.get(member__username="lena").member
    assert member_data(lena)["event_applications"][0]["is_listed"] is True
