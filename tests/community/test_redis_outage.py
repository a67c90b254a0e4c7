"""Redis really stopped and started again: pages answer, log-ins work, rate limits keep counting."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from medi4sec.cache import FailoverRedisCache
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a spare port, so the shared one stays up."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


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
    if server.process.poll() is None:
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
