"""Practitioner verification: request, confirmation, decisions, expiry, reminders and renewal."""

import datetime
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import tasks
from community.models import (
    VerificationDecision,
    VerificationReminder,
    VerificationRequest,
)
from tests.factories import (
    ForumFactory,
    UserFactory,
    VerificationDomainFactory,
    make_verified,
    make_verifier,
)

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("community:verification_settings")
QUEUE_URL = reverse("community:verification_queue")


def at(day: datetime.date):
    """Travel to 09:00 in Brussels on *day*."""
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=ZoneInfo("Europe/Brussels"))
    return time_machine.travel(moment, tick=False)


def request_data(**changes):
    data = {
        "organisation": "City of Example",
        "role": "Community safety officer",
        "official_email": "ana.costa@city.example.org",
        "note": "I run the city's safety accounts.",
        "referee": "",
    }
    return data | changes


def confirm_path(message) -> str:
    link = re.search(r"https?://\S+/verification/confirm/\S+/", message.body).group(0)
    return urlsplit(link).path


@pytest.fixture
def verified_forum():
    return ForumFactory(name="Verified room", slug="verified-room", audience="verified")


@pytest.fixture
def ana(client):
    user = UserFactory(username="ana", email="ana@example.eu", display_name="Ana Costa")
    client.force_login(user)
    return user


@pytest.fixture
def verifier_client(db):
    other = Client()
    other.force_login(make_verifier())
    return other


def send_request(client, capture, **changes):
    with capture(execute=True):
        return client.post(SETTINGS_URL, request_data(**changes))


def test_whole_life_cycle_from_request_to_expiry_and_renewal(
    client, ana, verifier_client, verified_forum, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    forum_url = verified_forum.get_absolute_url()
    assert client.get(forum_url).status_code == 404

    response = send_request(client, capture)
    assert response.status_code == 302
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["ana.costa@city.example.org"]
    path = confirm_path(confirmation)

    # Opening the link changes nothing until the button is pressed.
    assert b"Confirm" in client.get(path).content
    assert VerificationRequest.objects.get().status == "unconfirmed"
    with capture(execute=True):
        client.post(path)
    verification = VerificationRequest.objects.get()
    assert verification.status == "pending"
    assert client.get(forum_url).status_code == 404

    queue = verifier_client.get(QUEUE_URL)
    assert b"Ana Costa" in queue.content
    until = timezone.localdate() + datetime.timedelta(days=5)
    with capture(execute=True):
        response = verifier_client.post(
            reverse("community:verification_request", args=[verification.pk]),
            {"action": "approve", "approve-verified_until": until.isoformat()},
        )
    assert response.status_code == 302
    decision = VerificationDecision.objects.get(user=ana)
    assert (decision.action, decision.verified_until) == ("approved", until)
    assert decision.decided_by.username == "verifier"
    approval = mail.outbox[-1]
    assert approval.to == ["ana@example.eu"]
    assert "verified practitioner" in approval.body
    assert client.get(forum_url).status_code == 200

    # The day after the expiry date, the same session no longer opens the forum.
    with at(until + datetime.timedelta(days=1)):
        assert client.get(forum_url).status_code == 404
        renewal = client.get(f"{SETTINGS_URL}?renew=1")
        assert b'value="ana.costa@city.example.org"' in renewal.content
        response = send_request(client, capture)
        assert response.status_code == 302
        with capture(execute=True):
            client.post(confirm_path(mail.outbox[-1]))
        renewed = VerificationRequest.objects.get(status="pending")
        new_until = timezone.localdate() + datetime.timedelta(days=365)
        with capture(execute=True):
            verifier_client.post(
                reverse("community:verification_request", args=[renewed.pk]),
                {"action": "approve", "approve-verified_until": new_until.isoformat()},
            )
        assert client.get(forum_url).status_code == 200


def test_allow_listed_domain_verifies_on_confirmation_for_twelve_months(
    client, ana, verified_forum, django_capture_on_commit_callbacks
):
    VerificationDomainFactory(domain="police.example.eu", organisation="Example Police")
    send_request(
        client,
        django_capture_on_commit_callbacks,
        organisation="Example Police",
        official_email="ana@north.police.example.eu",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_path(mail.outbox[-1]))
    assert b"you are now a verified practitioner" in response.content
    ana.profile.refresh_from_db()
    assert ana.profile.verified_until == timezone.localdate() + datetime.timedelta(days=365)
    decision = VerificationDecision.objects.get(user=ana)
    assert decision.action == "auto_approved"
    assert decision.decided_by is None
    assert "police.example.eu" in decision.reason
    assert mail.outbox[-1].to == ["ana@example.eu"]
    assert client.get(verified_forum.get_absolute_url()).status_code == 200


def test_a_similar_looking_domain_is_not_allow_listed(
    client, ana, django_capture_on_commit_callbacks
):
    VerificationDomainFactory(domain="police.example.eu", organisation="Example Police")
    send_request(
        client, django_capture_on_commit_callbacks, official_email="ana@fakepolice.example.eu"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_path(mail.outbox[-1]))
    assert VerificationRequest.objects.get().status == "pending"
    assert not VerificationDecision.objects.exists()


def test_rejection_and_revocation_are_logged_and_emailed(
    client, ana, verifier_client, verified_forum, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send_request(client, capture)
    with capture(execute=True):
        client.post(confirm_path(mail.outbox[-1]))
    verification = VerificationRequest.objects.get()
    detail = reverse("community:verification_request", args=[verification.pk])

    response = verifier_client.post(detail, {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    assert b"Give a reason" in response.content
    with capture(execute=True):
        verifier_client.post(
            detail, {"action": "reject", "reject-reason": "We could not reach your employer."}
        )
    assert VerificationRequest.objects.get().status == "rejected"
    assert "We could not reach your employer." in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["ana@example.eu"]

    make_verified(ana)
    assert client.get(verified_forum.get_absolute_url()).status_code == 200
    with capture(execute=True):
        response = verifier_client.post(
            reverse("community:verification_revoke", args=["ana"]),
            {"revoke-reason": "You left the organisation."},
        )
    assert response.status_code == 302
    assert client.get(verified_forum.get_absolute_url()).status_code == 404
    assert "You left the organisation." in mail.outbox[-1].body
    actions = list(
        VerificationDecision.objects.order_by("created_at", "pk").values_list("action", "reason")
    )
    assert actions == [
        ("rejected", "We could not reach your employer."),
        ("revoked", "You left the organisation."),
    ]
    # The member sees the log of decisions about them.
    assert b"You left the organisation." in client.get(SETTINGS_URL).content


def test_a_verifier_cannot_decide_their_own_request(
    client, verifier_client, django_capture_on_commit_callbacks
):
    verifier = make_verifier("second-verifier")
    client.force_login(verifier)
    send_request(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_path(mail.outbox[-1]))
    verification = VerificationRequest.objects.get()
    response = client.post(
        reverse("community:verification_request", args=[verification.pk]),
        {"action": "approve", "approve-verified_until": "2099-01-01"},
        follow=True,
    )
    assert b"Another verifier decides about your own request." in response.content
    assert VerificationRequest.objects.get().status == "pending"


@pytest.mark.parametrize("who", ["anonymous", "member", "verified"])
def test_the_queue_is_only_there_for_verifiers(client, who):
    if who != "anonymous":
        user = UserFactory()
        if who == "verified":
            make_verified(user)
        client.force_login(user)
    response = client.get(QUEUE_URL)
    assert response.status_code == (302 if who == "anonymous" else 404)


def test_official_email_at_a_free_mail_provider_is_refused_keeping_the_input(client, ana):
    response = client.post(SETTINGS_URL, request_data(official_email="ana.costa@gmail.com"))
    assert response.status_code == 400
    assert b"gmail.com is a personal mailbox" in response.content
    assert b'value="City of Example"' in response.content
    assert not VerificationRequest.objects.exists()
    assert not mail.outbox


def test_official_email_must_be_at_the_listed_domain_of_the_organisation(client, ana):
    VerificationDomainFactory(domain="police.example.eu", organisation="Example Police")
    response = client.post(
        SETTINGS_URL,
        request_data(organisation="example police", official_email="ana@elsewhere.example.org"),
    )
    assert response.status_code == 400
    assert b"Addresses of Example Police end in @police.example.eu" in response.content
    assert not VerificationRequest.objects.exists()


def test_a_second_request_while_one_is_open_is_refused(
    client, ana, django_capture_on_commit_callbacks
):
    send_request(client, django_capture_on_commit_callbacks)
    response = client.post(SETTINGS_URL, request_data(role="Another role"))
    assert response.status_code == 400
    assert b"You already have a verification request open" in response.content
    assert b'value="Another role"' in response.content
    assert VerificationRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_referee_must_be_a_verified_practitioner(client, ana):
    UserFactory(username="bob")
    response = client.post(SETTINGS_URL, request_data(referee="bob"))
    assert response.status_code == 400
    assert "“bob” is not a verified practitioner".encode() in response.content
    assert b'value="bob"' in response.content

    make_verified(UserFactory(username="carla"))
    response = client.post(SETTINGS_URL, request_data(referee="carla"))
    assert response.status_code == 302
    assert VerificationRequest.objects.get().referee.username == "carla"


def test_an_expired_verification_is_not_a_valid_referee(client, ana):
    make_verified(UserFactory(username="dana"), days=-1)
    response = client.post(SETTINGS_URL, request_data(referee="dana"))
    assert response.status_code == 400
    assert "“dana” is not a verified practitioner".encode() in response.content


def test_a_confirmation_link_expires_and_cannot_be_tampered_with(
    client, ana, django_capture_on_commit_callbacks
):
    send_request(client, django_capture_on_commit_callbacks)
    path = confirm_path(mail.outbox[-1])
    response = client.post(path.replace("/confirm/", "/confirm/x"))
    assert response.status_code == 400
    with at(timezone.localdate() + datetime.timedelta(days=4)):
        response = client.post(path)
    assert response.status_code == 400
    assert b"This confirmation link is not valid" in response.content
    assert VerificationRequest.objects.get().status == "unconfirmed"


def test_reminders_30_and_7_days_before_expiry_each_once(django_capture_on_commit_callbacks):
    member = make_verified(UserFactory(email="eva@example.eu"), days=60)
    until = member.profile.verified_until
    sent = []
    for days_before in [31, 30, 30, 20, 8, 7, 7, 3, 0]:
        with (
            at(until - datetime.timedelta(days=days_before)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            sent.append(tasks.send_verification_reminders())
    assert sent == [0, 1, 0, 0, 0, 1, 0, 0, 0]
    assert [m.subject for m in mail.outbox] == [
        "[MEDI@4SEC] Your practitioner verification ends in 30 days",
        "[MEDI@4SEC] Your practitioner verification ends in 7 days",
    ]
    assert all(m.to == ["eva@example.eu"] for m in mail.outbox)
    assert f"{SETTINGS_URL}?renew=1" in mail.outbox[-1].body
    assert VerificationReminder.objects.count() == 2


def test_a_late_run_sends_only_the_nearest_reminder(django_capture_on_commit_callbacks):
    member = make_verified(UserFactory(), days=60)
    until = member.profile.verified_until
    with (
        at(until - datetime.timedelta(days=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.send_verification_reminders() == 1
    assert "7 days" in mail.outbox[0].subject


def test_the_reminder_task_runs_daily_in_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["verification-reminders"]
    assert entry["task"] == "community.tasks.send_verification_reminders"
    assert settings.VERIFICATION_VALIDITY_DAYS == 365
