"""HTML and feeds are gzipped when they carry no secret; members' pages and forms are not."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import ForumFactory, make_thread

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_an_anonymous_page_is_compressed(client):
    make_thread(ForumFactory(audience="public", slug="open"), title="Rumours after the derby")
    response = client.get("/forums/open/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Rumours after the derby" in gzip.decompress(response.content).decode()


def test_a_page_with_a_csrf_token_is_not_compressed(client):
    response = client.get(reverse("account_login"), **GZIP)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.text
    assert not response.has_header("Content-Encoding")


def test_a_members_page_is_not_compressed(client, member):
    ForumFactory(audience="public", slug="open")
    client.force_login(member)
    response = client.get("/forums/open/", **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
