"""Retention, run by beat: unconfirmed accounts, client addresses and exports expire; the privacy
notice shows the periods from settings."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.urls import reverse

from community import tasks
from community.models import AccountErasure, ClientAddress, DataExport, User
from community.services.exports import export_request
from tests.factories import ForumFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path, eager_celery):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_retention_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "community.tasks.apply_retention"


def test_accounts_that_never_confirmed_their_email_go_after_14_days():
    with time_machine.travel(START, tick=False):
        stranger = UserFactory(username="stranger", verified_email=False, date_joined=START)
        EmailAddress.objects.create(user=stranger, email=stranger.email, verified=False)
        confirmed = UserFactory(username="confirmed")
        admin = make_staff("admin")
        EmailAddress.objects.filter(user=admin).update(verified=False)

    with time_machine.travel(START + datetime.timedelta(days=13, hours=23), tick=False):
        tasks.apply_retention()
    assert User.objects.filter(username="stranger").exists()

    with time_machine.travel(START + datetime.timedelta(days=14, hours=1), tick=False):
        result = tasks.apply_retention()
    assert result["unverified_accounts"] == 1
    assert not User.objects.filter(username="stranger").exists()
    assert not EmailAddress.objects.filter(email="stranger@example.eu").exists()
    assert User.objects.filter(pk__in=[confirmed.pk, admin.pk]).count() == 2
    assert AccountErasure.objects.get().initiator == "retention"


def test_client_addresses_are_erased_after_90_days_and_posts_stay(client):
    member = UserFactory()
    forum = ForumFactory()
    client.force_login(member)
    with time_machine.travel(START, tick=False):
        client.post(
            reverse("community:thread_create", args=[forum.slug]),
            {"title": "An address", "body": "Written from somewhere."},
            REMOTE_ADDR="198.51.100.23",
        )
    address = ClientAddress.objects.get()
    assert (address.ip, address.user) == ("198.51.100.23", member)

    with time_machine.travel(START + datetime.timedelta(days=89, hours=23), tick=False):
        tasks.apply_retention()
    assert ClientAddress.objects.exists()
    with time_machine.travel(START + datetime.timedelta(days=90, hours=1), tick=False):
        assert tasks.apply_retention()["client_addresses"] == 1
    assert not ClientAddress.objects.exists()
    assert member.posts.count() == 1


def test_exports_are_deleted_after_48_hours_with_their_file():
    member = UserFactory()
    with time_machine.travel(START, tick=False):
        export = export_request(user=member)
        export.file.save("e.zip", ContentFile(b"zip"), save=True)
    storage, name = export.file.storage, export.file.name
    with time_machine.travel(START + datetime.timedelta(hours=47), tick=False):
        assert tasks.apply_retention()["exports"] == 0
    with time_machine.travel(START + datetime.timedelta(hours=48, minutes=1), tick=False):
        assert tasks.apply_retention()["exports"] == 1
    assert not DataExport.objects.exists()
    assert not storage.exists(name)


def test_privacy_notice_shows_the_periods_from_settings(client, settings):
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 21
    settings.RETENTION_IP_ADDRESS_DAYS = 60
    settings.DATA_EXPORT_HOURS = 72
    settings.PRIVACY_VERSION = "2026-12"
    page = client.get("/privacy/").content.decode()
    assert "21 days" in page
    assert "60 days" in page
    assert "72 hours" in page
    assert "version 2026-12" in page
    assert "How long we keep what" not in client.get("/about/").content.decode()
