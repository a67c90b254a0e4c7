"""Account deletion: re-authentication first; afterwards no trace of the member's email, name or
addresses in any table or column, posts kept as a former member's, mentions no longer linking."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from community import services
from community.models import (
    AccountErasure,
    ClientAddress,
    DigestSubscription,
    Notification,
    Post,
    Profile,
    Thread,
    User,
    VerificationRequest,
)
from tests.factories import PASSWORD, ForumFactory, UserFactory, make_staff, subscribe

pytestmark = pytest.mark.django_db

EMAIL = "mira.leaving@example.eu"
NAME = "Mirabel Quintessa"
USERNAME = "mirabelq"
OFFICIAL = "m.quintessa@police.example.eu"
IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path, eager_celery):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def rows_containing(needle: str) -> list[str]:
    """Return "table.column" for every value in the database that contains *needle*.

    Every table, every column, cast to text: whatever a later feature adds is searched too.
    """
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 (names from the schema)
                    f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


@pytest.fixture
def leaving(client, django_capture_on_commit_callbacks):
    """A member with a bit of everything, who wrote from a known address."""
    mira = UserFactory(username=USERNAME, email=EMAIL, display_name=NAME)
    profile = Profile.objects.get(user=mira)
    profile.organisation, profile.bio_markdown = "Quintessa Consulting", "I am Mirabel."
    profile.avatar.save("x.jpg", ContentFile(b"\xff\xd8avatar"), save=True)
    TOTP.activate(mira, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    subscribe(mira)
    VerificationRequest.objects.create(
        user=mira, organisation="Police", role="Analyst", official_email=OFFICIAL
    )
    forum = ForumFactory()
    client.force_login(mira)
    response = client.post(
        reverse("community:thread_create", args=[forum.slug]),
        {"title": "Live-streamed arrests", "body": "What do you do about live streams?"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    thread = Thread.objects.get(author=mira)
    other = UserFactory(username="otto")
    quoted = services.post_create(
        author=other,
        thread=thread,
        body=(
            f"Good question @{USERNAME}, and hello @otto.\n\n> @{USERNAME} [wrote](/p/1/):\n> hi"
        ),
    )
    services.reaction_toggle(user=mira, post=quoted)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:settings_privacy"))
    staff = make_staff()
    LogEntry.objects.log_actions(user_id=staff.pk, queryset=[mira], action_flag=CHANGE)
    client.logout()
    return mira


def reauthenticated_delete(client, user):
    client.force_login(user)
    response = client.post(reverse("community:account_delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert User.objects.filter(pk=user.pk).exists()  # nothing happened yet
    return client.post(response.url, {"password": PASSWORD}, follow=True)


def test_deletion_without_reauthentication_is_refused(client, member):
    client.force_login(member)
    response = client.post(reverse("community:account_delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response.url
    assert User.objects.filter(pk=member.pk).exists()


def test_deletion_page_explains_the_consequences(client, member):
    client.force_login(member)
    page = client.get(reverse("community:account_delete")).content.decode()
    assert "cannot be undone" in page
    assert "A former member" in page


def test_deletion_without_ticking_the_box_explains_why_before_asking_for_the_password(
    client, member
):
    client.force_login(member)
    response = client.post(reverse("community:account_delete"), {})
    assert response.status_code == 400
    assert "Tick the box to confirm that you want to leave." in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_erasure_leaves_no_trace_of_email_name_or_address(
    client, leaving, django_capture_on_commit_callbacks
):
    for needle in (EMAIL, NAME, OFFICIAL, IP):
        assert rows_containing(needle), f"the fixture should have stored {needle}"
    thread = Thread.objects.get(author=leaving)
    avatar = Profile.objects.get(user=leaving).avatar
    export_file = leaving.data_exports.get().file
    assert avatar.storage.exists(avatar.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = reauthenticated_delete(client, leaving)
    assert response.status_code == 200
    assert "Your account was deleted." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated

    for needle in (EMAIL, NAME, OFFICIAL, IP, USERNAME):
        assert rows_containing(needle) == [], needle
    assert not avatar.storage.exists(avatar.name)
    assert not export_file.storage.exists(export_file.name)
    assert not Authenticator.objects.filter(user_id=leaving.pk).exists()
    sessions = [session.get_decoded() for session in Session.objects.all()]
    assert str(leaving.pk) not in [data.get("_auth_user_id") for data in sessions]
    assert not DigestSubscription.objects.filter(user_id=leaving.pk).exists()
    assert not Notification.objects.filter(recipient_id=leaving.pk).exists()
    assert not ClientAddress.objects.exists()
    assert AccountErasure.objects.get().initiator == "member"

    # The discussion keeps its sense: the posts stay, by a former member.
    first = Post.objects.get(thread=thread, number=1)
    assert first.author is None
    assert first.body_markdown == "What do you do about live streams?"
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "A former member" in page
    assert "What do you do about live streams?" in page


def test_mentions_of_the_former_member_stop_linking(client, leaving):
    reauthenticated_delete(client, leaving)
    reply = Post.objects.get(number=2)
    assert f"/members/{USERNAME}/" not in reply.body_html
    assert "@former-member" in reply.body_html
    # Mentions of other members still link.
    assert '<a href="/members/otto/"' in reply.body_html
    assert reply.helpful_count == 0
    if connection.vendor == "postgresql":  # the search index forgets the old name as well
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT CAST(search_vector AS TEXT) FROM community_post WHERE id = %s", [reply.pk]
            )
            vector = cursor.fetchone()[0]
        assert f"'{USERNAME}'" not in vector
        assert "'former-memb'" in vector or "former" in vector


def test_staff_erase_a_member_who_cannot_sign_in(client, leaving):
    staff = make_staff("helpdesk", is_superuser=True)
    client.force_login(staff)
    changelist = reverse("admin:community_user_changelist")
    data = {"action": "erase_accounts", "_selected_action": [leaving.pk]}
    confirm = client.post(changelist, data)
    assert confirm.status_code == 200
    assert EMAIL in confirm.content.decode()
    assert User.objects.filter(pk=leaving.pk).exists()

    response = client.post(changelist, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=leaving.pk).exists()
    erasure = AccountErasure.objects.get()
    assert (erasure.initiator, erasure.processed_by) == ("staff", staff)
    for needle in (EMAIL, NAME, IP):
        assert rows_containing(needle) == [], needle


def test_the_name_former_member_cannot_be_taken(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.eu",
            "username": "former-member",
            "password1": "a-long-unusual-passphrase-7",
            "password2": "a-long-unusual-passphrase-7",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="former-member").exists()
    assert re.search("username", response.content.decode(), re.I)
