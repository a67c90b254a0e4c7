"""The benchmark's reference pages: served under its own settings only, never by the portal."""

import pytest

from tests.bench import settings as bench_settings
from tests.factories import ForumFactory, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench(settings):
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES


def test_the_reference_pages_answer_under_the_benchmarks_settings(client, bench):
    forum = ForumFactory(audience="public")
    make_thread(forum, title="Rumours after the derby")

    hello = client.get("/bench/hello/")
    assert hello.status_code == 200
    assert hello.content == b"Hello, world"

    rows = client.get("/bench/rows/")
    assert rows.status_code == 200
    assert "Rumours after the derby" in rows.text


def test_the_portal_still_answers_around_them(client, bench):
    assert client.get("/forums/").status_code == 200
    missing = client.get("/bench/nothing/")
    assert missing.status_code == 404
    assert "Page not found" in missing.text  # the portal's own error page


@pytest.mark.parametrize("path", ["/bench/hello/", "/bench/rows/"])
def test_the_portal_serves_no_reference_page(client, path):
    assert client.get(path).status_code == 404
