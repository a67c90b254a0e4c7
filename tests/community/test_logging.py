"""Structured request logs and the outage page operators and members see."""

import json
import logging

import pytest
from django.test import override_settings

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
