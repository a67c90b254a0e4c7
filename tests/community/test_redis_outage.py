"""Redis really stopped and started again: pages answer, log-ins work, rate limits keep counting,
/readyz says the broker is down, and the log says so once."""

import logging
import shutil

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from medi4sec import outages
from medi4sec.cache import FailoverRedisCache
from tests.factories import PASSWORD, UserFactory
from tests.reliability.services import PrivateRedis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


@pytest.fixture
def private_redis(monkeypatch):
    monkeypatch.setattr(FailoverRedisCache, "retry_after_seconds", 0.0)
    server = PrivateRedis()
    server.start()
    caches_setting = {
        "default": {
            "BACKEND": "medi4sec.cache.FailoverRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"FALLBACK": "fallback", "socket_connect_timeout": 0.5},
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_fallback",
        },
    }
    with override_settings(CACHES=caches_setting):
        call_command("createcachetable", verbosity=0)
        yield server
    server.stop()


def test_cache_moves_to_the_database_while_redis_is_down_and_back(private_redis):
    cache = caches["default"]
    cache.set("greeting", "from redis")
    assert cache.get("greeting") == "from redis"
    assert caches["fallback"].get("greeting") is None

    private_redis.stop()
    assert cache.get("greeting") is None  # Redis's copy is out of reach
    cache.set("greeting", "from the database")
    assert cache.get("greeting") == "from the database"
    assert caches["fallback"].get("greeting") == "from the database"

    private_redis.start()
    assert cache.get("greeting") is None  # the fresh Redis is used again
    cache.set("greeting", "from redis again")
    assert cache.get("greeting") == "from redis again"


def test_pages_and_log_in_work_while_redis_is_down(client, private_redis):
    UserFactory(username="owner", email="owner@example.eu")
    private_redis.stop()
    assert client.get("/").status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "owner@example.eu", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("community:settings")).status_code == 200


def test_login_rate_limits_keep_counting_while_redis_is_down(client, private_redis):
    UserFactory(username="owner", email="owner@example.eu")
    private_redis.stop()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "owner@example.eu", "password": "guess"})
    response = client.post(
        reverse("account_login"), {"login": "owner@example.eu", "password": PASSWORD}
    )
    assert b"Too many failed login attempts. Try again later." in response.content
    assert "_auth_user_id" not in client.session


def test_a_redis_outage_is_one_warning_per_role_and_one_line_when_it_ends(
    client, private_redis, caplog, monkeypatch
):
    monkeypatch.setattr(outages, "_down_since", {})  # this process has seen no outage yet
    caplog.set_level(logging.INFO)

    def said(level):
        return sorted(
            r.getMessage().split(" (")[0].split(" after ")[0]
            for r in caplog.records
            if r.levelno == level and r.name == "medi4sec.outages"
        )

    with override_settings(REDIS_URL=private_redis.url):
        assert client.get("/readyz").status_code == 200
        private_redis.stop()
        answers = [client.get("/readyz") for _ in range(10)]
        assert [client.get("/").status_code for _ in range(5)] == [200] * 5
        assert {answer.status_code for answer in answers} == {503}
        checks = answers[-1].json()["checks"]
        assert checks["broker"] == {"ok": False}
        assert checks["cache"]["ok"] is True  # on the database meanwhile
        assert b"ConnectionError" not in b"".join(answer.content for answer in answers)
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert said(logging.WARNING) == ["Redis cache unavailable", "broker unavailable"]

        caplog.clear()
        private_redis.start()
        assert [client.get("/readyz").status_code for _ in range(3)] == [200] * 3
        assert said(logging.INFO) == ["Redis cache available again", "broker available again"]
        assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
