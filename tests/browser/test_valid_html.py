"""Every page type is valid HTML: the Nu HTML checker (vnu, from npm's vnu-jar) finds no error.

The pages are fetched as the member they are for (a visitor, a member, a moderator who also
verifies), with forms shown both empty and with their errors, then checked in one run of the
checker: starting Java once costs seconds, checking a page milliseconds.
"""

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from community.models import Forum, Post, Thread, User
from knowledgebase.models import CaseStudyPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    """Return the command that runs the checker; `make browser-deps` installs it."""
    java = shutil.which("java")
    if not VNU_JAR.exists() or not java:
        pytest.fail("the HTML checker needs Java and node_modules/vnu-jar: run `make browser-deps`")
    return [java, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


# The pages that do not answer 200 OK; every other one does.
NOT_OK = {
    "not found": 404,
    "reply with errors": 400,
    "thread create with errors": 400,
    "someone else's post to edit": 403,
    "server error": 500,
}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def pages_of_the_visitor(client):
    forum = Forum.objects.filter(audience="public", thread_count__gt=0).first()
    thread = Thread.objects.filter(forum=forum).order_by("-post_count").first()
    case_study = CaseStudyPage.objects.live().filter(audience="public").first()
    return {
        "home": client.get("/"),
        "standard page": client.get("/about/"),
        "library": client.get("/case-studies/"),
        "library with facets": client.get("/case-studies/?classification=good"),
        "case study": client.get(case_study.url),
        "forum index": client.get("/forums/"),
        "forum": client.get(forum.get_absolute_url()),
        "thread": client.get(thread.get_absolute_url()),
        "search": client.get("/search/?q=police"),
        "sign in": client.get("/accounts/login/"),
        "sign in with errors": client.post("/accounts/login/", {"login": "x", "password": ""}),
        "sign up": client.get("/accounts/signup/"),
        "sign up with errors": client.post(
            "/accounts/signup/", {"email": "not an address", "username": "a", "password1": "1"}
        ),
        "password reset": client.get("/accounts/password/reset/"),
        "not found": client.get("/no-such-page/"),
    }


def pages_of_a_member(client, member):
    forum = Forum.objects.filter(audience="public").first()
    thread = Thread.objects.filter(forum=forum).order_by("-post_count").first()
    post = Post.objects.filter(thread=thread).exclude(author=member).first()
    return {
        "thread, signed in": client.get(thread.get_absolute_url()),
        "reply with errors": client.post(f"/t/{thread.pk}/reply/", {"body": ""}),
        "thread create": client.get(f"{forum.get_absolute_url()}new/"),
        "thread create with errors": client.post(
            f"{forum.get_absolute_url()}new/", {"title": "", "body": ""}
        ),
        "flag": client.get(f"/p/{post.pk}/flag/"),
        "flag sent": client.post(f"/p/{post.pk}/flag/", {"reason": "spam"}, follow=True),
        "someone else's post to edit": client.get(f"/p/{post.pk}/edit/"),
        "people directory": client.get("/members/"),
        "profile": client.get(f"/members/{member.username}/"),
        "notifications": client.get("/notifications/"),
        "settings": client.get("/settings/"),
        "settings with errors": client.post("/settings/", {"display_name": "x" * 300}),
        "verification settings": client.get("/settings/verification/"),
        "digest settings": client.get("/settings/digest/"),
        "privacy settings": client.get("/settings/privacy/"),
        "account deletion": client.get("/settings/privacy/delete/"),
        "email addresses": client.get("/accounts/email/"),
        "password change": client.get("/accounts/password/change/"),
        "password change with errors": client.post(
            "/accounts/password/change/", {"oldpassword": "", "password1": "1", "password2": "2"}
        ),
        "two-factor": client.get("/accounts/2fa/"),
        "groups": client.get("/groups/"),
    }


def pages_of_a_moderator_who_verifies(client):
    return {
        "moderation queue": client.get("/moderation/"),
        "moderation log": client.get("/moderation/log/"),
        "verification queue": client.get("/verification/queue/"),
        "verification queue search": client.get("/verification/queue/?q=a"),
    }


def server_error_page():
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="tests.community.urls_broken", DEBUG=False):
        return {"server error": client.get("/boom/")}


def test_every_page_type_is_valid_html(vnu, settings, tmp_path):
    settings.DEBUG = False
    call_command("seed_demo", stdout=StringIO())
    mira, tomas = User.objects.get(username="mira"), User.objects.get(username="tomas")
    responses = {
        **pages_of_the_visitor(Client()),
        **pages_of_a_member(signed_in(mira), mira),
        **pages_of_a_moderator_who_verifies(signed_in(tomas)),
        **server_error_page(),
    }
    answers = {name: response.status_code for name, response in responses.items()}
    assert answers == {name: NOT_OK.get(name, 200) for name in responses}
    summaries = [
        name for name, response in responses.items() if b"There is a problem" in response.content
    ]
    assert summaries == [name for name in responses if name.endswith("with errors")]
    files = {}
    for number, (name, response) in enumerate(responses.items()):
        assert response["Content-Type"].startswith("text/html"), (name, response.status_code)
        path = tmp_path / f"{number:02d}.html"
        path.write_bytes(response.content)
        files[path.name] = name
    found = subprocess.run(  # noqa: S603 - our own command line, no shell
        [*vnu, *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(found.stderr or found.stdout)["messages"]
    errors = [
        f"{files.get(message.get('url', '').rsplit('/', 1)[-1])}, line {message.get('lastLine')}: "
        f"{message['message']} [{message.get('extract', '').strip()}]"
        for message in messages
    ]
    assert errors == [], "\n".join(errors)
