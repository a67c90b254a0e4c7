"""Real services for tests and benchmarks, each on a spare port, each stopped and started at will.

A private redis-server, an aiosmtpd SMTP server, a Celery worker, the outbox dispatcher and
gunicorn, all pointed at the test database (PostgreSQL: the processes share it with the test).
The one home of these helpers: the reliability tests, the Redis outage test and the digest
benchmark use them; tests/conftest.py holds the eager Celery fixture.
"""

# The tests start local processes (redis-server, celery, gunicorn) with fixed arguments.
# ruff: noqa: S603, S310

import asyncio
import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out: {message}")


class PrivateRedis:
    """A redis-server without persistence: stopped, it forgets everything, like a lost broker."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: is_listening(self.port), 10, "redis-server")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Sink:
    """An SMTP server that counts and keeps what it accepts; *delay* seconds on each recipient.

    With *keep* false it only counts: a benchmark's sink must not parse thousands of messages
    in the process it measures.
    """

    def __init__(self, delay=0.0, *, keep=True):
        self.delay = delay
        self.keep = keep
        self.accepted = 0
        self.messages = []
        self.recipients_started = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.recipients_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
            if self.keep:
                self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count_to(self):
        with self.lock:
            return Counter(message["To"] for message in self.messages)


def portal_env(*, redis_url, smtp_port, **extra):
    """Return the environment of a portal process on the test database, Redis and SMTP server."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "INFO",
        **{name: str(value) for name, value in extra.items()},
    }


class Process:
    """One long-running command, its output in *log_path*; killed, stopped or started again."""

    def __init__(self, command, env, log_path):
        self.command, self.env, self.log_path, self.process = command, env, log_path, None
        self.log = None

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop() / kill()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        return self

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.log and not self.log.closed:
            self.log.close()

    def tail(self, chars=3000):
        return self.log_path.read_text(errors="replace")[-chars:]


def worker(env, log_path):
    return Process(
        [str(BIN / "celery"), "-A", "medi4sec", "worker", "--pool=solo", "--concurrency=1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"],
        env, log_path,
    )  # fmt: skip


def dispatcher(env, log_path):
    return Process(
        [sys.executable, str(ROOT / "manage.py"), "outbox_dispatch", "--loop", "--interval=0.3"],
        env,
        log_path,
    )


def gunicorn(env, log_path, port):
    return Process(
        [str(BIN / "gunicorn"), "medi4sec.wsgi", "--bind", f"127.0.0.1:{port}", "--workers=2",
         "--timeout=20", "--config=gunicorn.conf.py"],
        env, log_path,
    )  # fmt: skip


class Browser:
    """An HTTP client for gunicorn that keeps its cookies: GET pages, POST forms with CSRF."""

    def __init__(self, base, session_cookie=None):
        self.base = base
        self.cookies = {"sessionid": session_cookie} if session_cookie else {}
        self.opener = urllib.request.build_opener(NoRedirect())

    def request(self, path, data=None, headers=None):
        from http.cookies import SimpleCookie

        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            self.headers = response.headers
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode()

    def get(self, path):
        return self.request(path)

    def post_form(self, page, action, fields):
        """Load *page*, take its CSRF token and POST *fields* to *action*."""
        status, html = self.get(page)
        assert status == 200, (status, html[-500:])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        return self.request(action, data=body, headers={"Referer": self.base + page})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
