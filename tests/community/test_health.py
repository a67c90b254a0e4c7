"""/readyz during an outage: the public answer names the dependency that is down, never the error;
the log says why once when the outage starts (WARNING) and once when it ends (INFO).

The broker's outage with a real redis-server stopped and started is in test_redis_outage.py.
"""

import logging

import pytest
from django.db import OperationalError, connection

from medi4sec import outages

pytestmark = pytest.mark.django_db

DETAIL = (
    'connection to server at "10.20.30.40", port 5432 failed: '
    'FATAL: password authentication failed for user "portal_app"'
)


@pytest.fixture
def log(caplog, monkeypatch):
    monkeypatch.setattr(outages, "_down_since", {})  # this process has seen no outage yet
    caplog.set_level(logging.INFO)
    return caplog


class Database:
    """The database as the portal sees it: stopped, new queries fail as when PostgreSQL is down."""

    def __init__(self):
        self._patch = pytest.MonkeyPatch()

    def stop(self, detail=DETAIL):
        def refuse():
            raise OperationalError(detail)

        self._patch.setattr(connection, "ensure_connection", refuse)

    def start(self):
        self._patch.undo()


@pytest.fixture
def database():
    database = Database()
    yield database
    database.start()


def test_readyz_names_the_database_down_and_nothing_else(client, log, database):
    database.stop()
    answers = [client.get("/readyz") for _ in range(6)]
    assert {answer.status_code for answer in answers} == {503}
    body = answers[-1].json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False}
    assert body["checks"]["cache"]["ok"] is True
    assert "outbox_pending" not in body  # counted in the database: nothing to say
    public = b"".join(answer.content for answer in answers).decode()
    for secret in ["OperationalError", "10.20.30.40", "5432", "portal_app", "password", "error"]:
        assert secret not in public


def test_an_outage_is_one_warning_and_its_end_one_line(client, log, database):
    database.stop()
    for _ in range(6):
        client.get("/readyz")
    problems = [r for r in log.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.levelname) for r in problems] == [("medi4sec.outages", "WARNING")]
    assert problems[0].getMessage() == f"database unavailable (OperationalError: {DETAIL})"

    log.clear()
    database.start()
    assert [client.get("/readyz").status_code for _ in range(3)] == [200, 200, 200]
    ended = [r for r in log.records if r.name == "medi4sec.outages"]
    assert [(r.levelname, r.getMessage().split(" after ")[0]) for r in ended] == [
        ("INFO", "database available again")
    ]
    assert [r for r in log.records if r.levelno >= logging.WARNING] == []


def test_the_next_outage_is_logged_again(client, log, database):
    database.stop()
    client.get("/readyz")
    database.start()
    client.get("/readyz")
    database.stop("server closed the connection unexpectedly")
    client.get("/readyz")
    client.get("/readyz")
    warnings = [r.getMessage() for r in log.records if r.levelno >= logging.WARNING]
    assert warnings == [
        f"database unavailable (OperationalError: {DETAIL})",
        "database unavailable (OperationalError: server closed the connection unexpectedly)",
    ]


def test_readyz_with_everything_up_logs_nothing(client, log):
    assert client.get("/readyz").status_code == 200
    assert [r for r in log.records if r.levelno >= logging.WARNING] == []
