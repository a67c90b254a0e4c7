"""Structured request logs and the outage page operators and members see."""

import json
import logging

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import OperationalError, connection
from django.test import override_settings

from medi4sec import outages
from medi4sec.logging import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="medi4sec.request")
    formatter = JsonFormatter()

    def lines():
        return [
            json.loads(formatter.format(r)) for r in caplog.records if r.name == "medi4sec.request"
        ]

    return lines


def test_each_request_is_one_json_line_with_id_and_member_id_only(client, member, request_log):
    client.force_login(member)
    response = client.get("/settings/", HTTP_X_REQUEST_ID="proxy-abc.123")
    assert response["X-Request-ID"] == "proxy-abc.123"
    [line] = request_log()
    assert line["request_id"] == "proxy-abc.123"
    assert line["method"] == "GET"
    assert line["path"] == "/settings/"
    assert line["status"] == 200
    assert line["user_id"] == member.pk
    assert line["duration_ms"] >= 0
    text = json.dumps(line)
    assert member.email not in text
    assert member.username not in text


def test_unsafe_request_ids_are_replaced(client, request_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32
    assert request_log()[0]["request_id"] == response["X-Request-ID"]


def test_database_outage_gets_a_styled_503_with_retry_after(client):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
        response = client.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"The portal is briefly unavailable" in response.content
    assert b"127.0.0.1" not in response.content


@pytest.fixture
def outage_log(caplog, monkeypatch):
    """Return the records at WARNING and above, and what ``medi4sec.outages`` said, from now on."""
    monkeypatch.setattr(outages, "_down_since", {})  # this process has seen no outage yet
    caplog.set_level(logging.INFO)
    return caplog


def problems(caplog):
    return [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_database_outage_is_logged_once_and_its_end_once(client, outage_log):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
        responses = [client.get("/database-gone/") for _ in range(5)]
    assert {response.status_code for response in responses} == {503}
    for response in responses:
        assert b"OperationalError" not in response.content
        assert b"connection to server" not in response.content
    assert problems(outage_log) == [("medi4sec.outages", "WARNING")]
    [warning] = [r for r in outage_log.records if r.levelno >= logging.WARNING]
    assert "database unavailable (OperationalError: connection to server" in warning.getMessage()

    outage_log.clear()
    fresh = connection.copy()  # the database answers a new connection again
    fresh.ensure_connection()
    fresh.close()
    ended = [r for r in outage_log.records if r.name == "medi4sec.outages"]
    assert [(r.levelname, r.getMessage().split(" after ")[0]) for r in ended] == [
        ("INFO", "database available again")
    ]


def test_a_deadlock_is_an_error_each_time_not_an_outage(client, outage_log):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
        statuses = [client.get("/database-deadlock/").status_code for _ in range(2)]
    assert statuses == [503, 503]
    assert problems(outage_log) == [("django.request", "ERROR")] * 2


def test_a_member_whose_session_cannot_be_read_gets_the_503_and_its_log_line(
    client, member, request_log, monkeypatch
):
    client.force_login(member)
    client.raise_request_exception = False

    def unreachable(self):
        raise OperationalError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr(SessionStore, "load", unreachable)
    response = client.get("/settings/", HTTP_X_REQUEST_ID="outage-1")
    assert response.status_code == 503
    assert b"The portal is briefly unavailable" in response.content
    assert response["X-Request-ID"] == "outage-1"
    [line] = request_log()
    assert (line["status"], line["user_id"]) == (503, None)
