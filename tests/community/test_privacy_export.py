"""Data export: asked for in the settings, built by a task, a private link that expires."""

import datetime
import io
import json
import re
import zipfile

import pytest
import time_machine
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import DataExport, Flag, Profile, VerificationDecision
from tests.factories import UserFactory, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, eager_celery):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def download_path(message):
    return re.search(r"https?://[^/\s]+(/settings/privacy/export/[0-9a-f-]+/)", message.body)[1]


def ask_for_export(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:settings_privacy"))
    assert response.status_code == 302
    return DataExport.objects.get(user=user)


def read_zip(response):
    content = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, json.loads(archive.read("data.json"))


@pytest.fixture
def mira(db):
    mira = UserFactory(username="mira", email="mira@example.eu", display_name="Mira Novak")
    profile = Profile.objects.get(user=mira)
    profile.organisation = "City of Ghent"
    profile.avatar.save("a.jpg", ContentFile(b"\xff\xd8jpeg-bytes"), save=True)
    return mira


def test_member_gets_a_zip_of_their_own_data_by_email(
    client, mira, django_capture_on_commit_callbacks
):
    other = UserFactory(username="otto", email="otto.secret@example.eu", display_name="Otto Hidden")
    thread = make_thread(author=mira, title="Live-streamed arrests", body="My first post.")
    services.post_create(author=other, thread=thread, body="Otto's private thoughts.")
    reply = services.post_create(author=mira, thread=thread, body="Mira answers @otto.")
    other_thread = make_thread(author=other, title="Otto's thread", body="Otto writes.")
    services.reaction_toggle(user=mira, post=other_thread.posts.get())
    Flag.objects.create(
        post=other_thread.posts.get(), flagger=mira, reason="other", note="Looks like spam."
    )
    VerificationDecision.objects.create(
        user=mira, decided_by=other, action="rejected", reason="No evidence."
    )

    export = ask_for_export(client, mira, django_capture_on_commit_callbacks)
    assert export.status == "ready"
    (email,) = [message for message in mail.outbox if "data export" in message.subject]
    assert email.to == ["mira@example.eu"]
    assert "48 hours" in email.body

    response = client.get(download_path(email))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    archive, data = read_zip(response)
    assert archive.read("avatar.jpg") == b"\xff\xd8jpeg-bytes"
    assert data["account"]["email"] == "mira@example.eu"
    assert data["profile"]["organisation"] == "City of Ghent"
    assert [t["title"] for t in data["threads"]] == ["Live-streamed arrests"]
    assert [p["text"] for p in data["posts"]] == ["My first post.", "Mira answers @otto."]
    assert data["posts"][1]["url"].endswith(reply.get_absolute_url())
    assert len(data["reactions"]) == 1
    assert {f["thread"] for f in data["follows"]} == {"Live-streamed arrests"}
    assert data["notifications"][0]["thread"] == "Live-streamed arrests"
    assert data["verification"]["decisions"][0]["reason"] == "No evidence."
    assert {c["document"] for c in data["consents"]} == {"terms", "privacy"}
    assert [flag["note"] for flag in data["moderation"]["flags"]] == ["Looks like spam."]

    # Nothing about other members beyond what Mira could see anyway.
    raw = archive.read("data.json").decode()
    for secret in ["otto.secret@example.eu", "Otto Hidden", "Otto's private thoughts"]:
        assert secret not in raw


def test_export_file_is_private_and_not_under_media(
    client, mira, django_capture_on_commit_callbacks, settings
):
    export = ask_for_export(client, mira, django_capture_on_commit_callbacks)
    path = export.file.path
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert client.get(f"/media/{export.file.name}").status_code == 404


def test_someone_elses_link_answers_404(client, mira, django_capture_on_commit_callbacks):
    export = ask_for_export(client, mira, django_capture_on_commit_callbacks)
    link = reverse("community:export_download", args=[export.pk])
    client.force_login(UserFactory(username="intruder"))
    assert client.get(link).status_code == 404
    client.logout()
    assert client.get(link).status_code == 302  # to the sign-in page, nothing handed out


def test_expired_link_answers_404(client, mira, django_capture_on_commit_callbacks):
    export = ask_for_export(client, mira, django_capture_on_commit_callbacks)
    link = reverse("community:export_download", args=[export.pk])
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=47, minutes=59)):
        assert client.get(link).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=48, minutes=1)):
        assert client.get(link).status_code == 404


def test_asking_twice_while_preparing_makes_one_export(mira):
    # The task is queued on commit, which never comes here: the first stays "being prepared".
    from community.services.exports import export_request

    first = export_request(user=mira)
    assert export_request(user=mira) == first
    assert DataExport.objects.filter(user=mira).count() == 1


def test_settings_page_lists_the_export_and_links_it(
    client, mira, django_capture_on_commit_callbacks
):
    export = ask_for_export(client, mira, django_capture_on_commit_callbacks)
    page = client.get(reverse("community:settings_privacy")).content.decode()
    assert reverse("community:export_download", args=[export.pk]) in page
    assert "Privacy notice, version 1: accepted on" in page


def test_settings_page_lists_exports_in_a_fixed_number_of_queries(
    client, mira, django_assert_num_queries
):
    from community.services.exports import export_request

    client.force_login(mira)
    client.get(reverse("community:settings_privacy"))  # session and consent checks warm up
    export_request(user=mira)
    with django_assert_num_queries(PRIVACY_SETTINGS_QUERIES):
        assert client.get(reverse("community:settings_privacy")).status_code == 200
    for _n in range(3):
        DataExport.objects.create(
            user=mira, expires_at=timezone.now() + datetime.timedelta(hours=1)
        )
    with django_assert_num_queries(PRIVACY_SETTINGS_QUERIES):
        page = client.get(reverse("community:settings_privacy")).content.decode()
    assert page.count("Being prepared") == 4


# The member with their profile, the exports, the consents (the session, roles, working groups
# and the header's unread count come from the cache; the consent check from the session).
PRIVACY_SETTINGS_QUERIES = 3
