"""With DEBUG off, every error is a styled, generic page: no traceback, no settings, no URL list."""

import pytest
from django.test import Client, override_settings

from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db

TECHNICAL = [b"Traceback", b"django.", b"DEBUG", b"urlpatterns", b"SECRET_KEY", b'File "']


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def someone_elses_post():
    thread = make_thread(ForumFactory(), UserFactory(username="author"))
    return thread.posts.get()


@pytest.mark.parametrize("case", ["400 bad host", "403", "403 csrf", "404", "500", "503 database"])
def test_error_pages_are_generic(client, member, case):
    client.raise_request_exception = False
    expected = int(case[:3])
    if case == "400 bad host":
        response = client.get("/", HTTP_HOST="evil.example")
    elif case == "403":
        client.force_login(member)
        response = client.get(f"/p/{someone_elses_post().pk}/edit/")
    elif case == "403 csrf":
        response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    elif case == "404":
        response = client.get("/forums/no-such-forum/")
    else:
        path = "/database-gone/" if case == "503 database" else "/boom/"
        with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
            response = client.get(path)
    assert response.status_code == expected
    assert b'class="site-header"' in response.content or expected >= 500
    assert b"<h1>" in response.content
    exception = [b"RuntimeError", b"deliberate failure", b"OperationalError", b"connection to"]
    leaked = [word for word in TECHNICAL + exception if word in response.content]
    assert leaked == []
