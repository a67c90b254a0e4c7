"""A real Celery worker process, a private Redis and a real SMTP server: digests arrive once.

The worker reads the test database (PostgreSQL only: SQLite's in-memory test database cannot be
shared with another process), takes its tasks from a redis-server the test starts on a spare
port, and sends through an aiosmtpd server running in the test. The SMTP server is slow on
purpose, so the worker can be killed (SIGKILL) in the middle of the run, between claiming a
member's delivery and the server accepting the message.
"""

# The test starts local processes (redis-server, celery) with fixed arguments.
# ruff: noqa: S603

import asyncio
import email
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings
from django.db import connection

from community.models import DigestDelivery, DigestRun, WorkingGroupMembership
from tests.factories import (
    ForumFactory,
    UserFactory,
    WorkingGroupFactory,
    backdate,
    during_period,
    make_case_study,
    make_thread,
    make_verified,
    subscribe,
)
from tests.reliability import services

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 2  # a claim older than this belongs to a dead worker
VISIBILITY_SECONDS = 4  # Redis hands an unacknowledged task out again after this

# Skipped before any database is set up: a transactional test that skips late still flushes the
# database, and with it the rows that migrations created for the tests that follow.
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.skipif(
        not settings.IS_POSTGRES,
        reason="the worker process needs a database it can share: PostgreSQL",
    ),
]


@pytest.fixture
def redis_url():
    port = services.free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        services.wait_for(lambda: services.is_listening(port), 10, "redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


class SlowSink:
    """An SMTP server that takes its time over each recipient, then keeps what it accepts."""

    def __init__(self, delay):
        self.delay = delay
        self.messages = []
        self.recipients_started = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.recipients_started += 1
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def count_to(self):
        with self.lock:
            return Counter(message["To"] for message in self.messages)


@pytest.fixture
def smtp_sink():
    sink = SlowSink(delay=0.4)
    controller = Controller(sink, hostname="127.0.0.1", port=services.free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def worker(redis_url, smtp_sink, tmp_path):
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink[1]}?timeout=10",
        "DIGEST_CLAIM_STALE_SECONDS": str(STALE_SECONDS),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
    }
    process = services.worker(env, tmp_path / "worker.log")
    yield process
    process.stop()
    sys.stdout.write((tmp_path / "worker.log").read_text(errors="replace")[-3000:])


def start_run(redis_url):
    client = Celery("digest-test", broker=redis_url)
    client.send_task("community.tasks.send_digests", args=["weekly"])
    client.close()


def run_finished(number):
    runs = list(DigestRun.objects.order_by("pk"))
    if len(runs) < number:
        return False
    run = runs[number - 1]
    return run.member_count > 0 and run.sent + run.skipped + run.failed >= run.member_count


def test_worker_sends_each_member_their_own_digest_once_even_when_killed(
    redis_url, smtp_sink, worker
):
    sink, _port = smtp_sink
    when = during_period()
    group = WorkingGroupFactory(slug="crowd-safety", name="Crowd safety")
    open_forum = ForumFactory(slug="open", audience="public")
    verified_forum = ForumFactory(slug="verified", audience="verified")
    group_forum = ForumFactory(slug="group", audience="group", group=group)
    author = UserFactory(username="author")
    backdate(make_thread(open_forum, author, title="Open news"), when)
    backdate(make_thread(open_forum, author, title="Noisy thread", tags=["noise"]), when)
    backdate(make_thread(verified_forum, author, title="Verified briefing"), when)
    backdate(make_thread(group_forum, author, title="Group plan"), when)
    backdate(make_case_study("Public study"), when)
    backdate(make_case_study("Restricted study", audience="verified"), when)

    alice = UserFactory(username="alice")  # a member: public and members' content
    bob = make_verified(UserFactory(username="bob"))  # a practitioner who mutes a tag
    carol = UserFactory(username="carol")  # a working-group member who follows its forum
    WorkingGroupMembership.objects.create(group=group, user=carol, status="member")
    from taggit.models import Tag

    from community.models import Follow

    Follow.objects.create(user=bob, tag=Tag.objects.get(name="noise"), level="muted")
    Follow.objects.create(user=carol, forum=group_forum, level="watching")
    others = [UserFactory(username=f"reader{number}") for number in range(8)]
    members = [alice, bob, carol, *others]
    for member in members:
        subscribe(member)

    worker.start()
    start_run(redis_url)
    # Kill the worker while it talks to the SMTP server about the fourth member: claimed,
    # not accepted.
    services.wait_for(
        lambda: len(sink.messages) >= 3 and sink.recipients_started > len(sink.messages),
        40,
        "three digests sent and a fourth under way",
    )
    worker.kill()
    killed_at = len(sink.messages)
    assert killed_at < len(members)
    assert DigestDelivery.objects.filter(status="sending").count() == 1

    # Redis hands the unacknowledged task to the next worker after the visibility timeout.
    time.sleep(VISIBILITY_SECONDS + 0.5)
    worker.start()
    services.wait_for(lambda: len(sink.messages) >= len(members) and run_finished(1), 40, "the run")

    received = sink.count_to()
    assert received == Counter({member.email: 1 for member in members})  # no copy, no gap
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
    retried = DigestDelivery.objects.filter(attempts__gt=1)
    assert retried.count() == 1  # the one the killed worker had claimed, sent by the next one

    def body(member):
        message = next(m for m in sink.messages if m["To"] == member.email)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.is_multipart()
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        return text.get_payload(decode=True).decode()

    digests = {member.username: body(member) for member in (alice, bob, carol)}
    expected = {
        "alice": {"Open news", "Noisy thread", "Public study"},
        "bob": {"Open news", "Verified briefing", "Public study", "Restricted study"},
        "carol": {"Open news", "Noisy thread", "Group plan", "Public study"},
    }
    everything = set().union(*expected.values())
    for username, titles in expected.items():
        shown = {title for title in everything if title in digests[username]}
        assert shown == titles, username
    assert digests["carol"].index("Group plan") < digests["carol"].index("Open news")

    # A second run (a rerun, or a second beat) sends nothing more.
    start_run(redis_url)
    services.wait_for(lambda: run_finished(2), 30, "the second run")
    time.sleep(1)
    assert len(sink.messages) == len(members)
    second = DigestRun.objects.order_by("pk").last()
    assert (second.sent, second.skipped, second.failed) == (0, len(members), 0)
