"""A real Celery worker process, a private Redis and a real SMTP server: digests arrive once.

The worker reads the test database (PostgreSQL only: SQLite's in-memory test database cannot be
shared with another process), takes its tasks from a redis-server the test starts on a spare
port, and sends through an aiosmtpd server running in the test. The SMTP server is slow on
purpose, so the worker can be killed (SIGKILL) in the middle of the run, between claiming a
member's delivery and the server accepting the message.

The processes run with the production defaults (docker-compose.yml: a worker and the outbox
dispatcher): a crash must not cost members an hour (Redis's visibility timeout).
"""

import shutil
import time
from collections import Counter

import pytest
from celery import Celery
from django.conf import settings

from community.models import DigestDelivery, DigestRun, OutboxTask, WorkingGroupMembership
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

MEMBER_TASK = "community.tasks.send_member_digest"

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
def redis():
    server = services.PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes(tmp_path):
    started = []

    def start(kind, env):
        process = getattr(services, kind)(env, tmp_path / f"{kind}-{len(started)}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    for process in started:
        print(f"--- {process.log_path.name}\n{process.tail()}")  # shown when a test fails


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


def news_and_readers():
    """Return the subscribed members, after news of every audience in the period.

    The first three see different parts of it: alice is a member, bob a practitioner who mutes
    a tag, carol a working-group member who follows its forum.
    """
    from taggit.models import Tag

    from community.models import Follow

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

    alice = UserFactory(username="alice")
    bob = make_verified(UserFactory(username="bob"))
    carol = UserFactory(username="carol")
    WorkingGroupMembership.objects.create(group=group, user=carol, status="member")
    Follow.objects.create(user=bob, tag=Tag.objects.get(name="noise"), level="muted")
    Follow.objects.create(user=carol, forum=group_forum, level="watching")
    others = [UserFactory(username=f"reader{number}") for number in range(8)]
    members = [alice, bob, carol, *others]
    for member in members:
        subscribe(member)
    return members


def test_a_killed_workers_digests_each_arrive_once_within_minutes_with_the_defaults(
    redis, processes
):
    sink = services.Sink(delay=0.4)
    sink.start()
    members = news_and_readers()
    # Nothing shortened: the visibility timeout, the lost-worker time and the heartbeat are the
    # production defaults. The processes are those of docker-compose.yml: a worker and the
    # outbox dispatcher (the `outbox` service).
    env = services.portal_env(redis_url=redis.url, smtp_port=sink.port)
    try:
        worker = processes("worker", env)
        processes("dispatcher", env)
        start_run(redis.url)
        # Kill the worker while it talks to the SMTP server about the fourth member: claimed,
        # not accepted.
        services.wait_for(
            lambda: len(sink.messages) >= 3 and sink.recipients_started > len(sink.messages),
            60,
            "three digests sent and a fourth under way",
        )
        worker.kill()
        killed_at = time.monotonic()
        assert len(sink.messages) < len(members)
        assert DigestDelivery.objects.filter(status="sending").count() == 1

        processes("worker", env)  # its replacement, started at once (a restart policy)
        services.wait_for(
            lambda: len(sink.messages) >= len(members) and run_finished(1),
            180,
            "every digest within 3 minutes of the crash",
        )
        recovered_in = time.monotonic() - killed_at
        time.sleep(2)  # a copy would arrive now
        assert_each_member_got_one_digest(sink, members)
        print(f"the killed worker's digest was sent {recovered_in:.0f} s after the crash")
        assert_each_digest_shows_what_its_reader_may_see(sink, members)

        # A second run (a rerun, or a second beat) sends nothing more.
        start_run(redis.url)
        services.wait_for(lambda: run_finished(2), 30, "the second run")
        time.sleep(1)
        assert len(sink.messages) == len(members)
        second = DigestRun.objects.order_by("pk").last()
        assert (second.sent, second.skipped, second.failed) == (0, len(members), 0)
    finally:
        sink.stop()


def assert_each_member_got_one_digest(sink, members):
    """No copy, no gap: the killed worker's claim was sent by the next worker, once."""
    received = sink.count_to()
    assert received == Counter({member.email: 1 for member in members})
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
    retried = DigestDelivery.objects.filter(attempts__gt=1)
    assert retried.count() == 1  # the one the killed worker had claimed, sent by the next one
    run = DigestRun.objects.order_by("pk").first()
    assert (run.member_count, run.sent, run.skipped, run.failed) == (
        len(members),
        len(members),
        0,
        0,
    )
    tasks = OutboxTask.objects.filter(task=MEMBER_TASK)
    assert set(tasks.values_list("status", flat=True)) == {"done"}
    assert sorted(tasks.values_list("sends", flat=True)) == [1] * (len(members) - 1) + [2]


def assert_each_digest_shows_what_its_reader_may_see(sink, members):
    def body(member):
        message = next(m for m in sink.messages if m["To"] == member.email)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.is_multipart()
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        return text.get_payload(decode=True).decode()

    digests = {member.username: body(member) for member in members[:3]}
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


def test_a_live_worker_keeps_a_digest_it_is_slow_to_send_to_itself(redis, processes):
    """A send longer than the lost-worker time is not taken for a dead worker's: no copy."""
    sink = services.Sink(delay=6)  # twice the lost-worker time below, on one recipient
    sink.start()
    backdate(make_thread(ForumFactory(slug="open"), UserFactory(), title="News"), during_period())
    subscribe(member := UserFactory(username="ann"))
    # The lost-worker time and the heartbeat are shortened (in the same ratio as the defaults
    # allow) so the send outlasts them in seconds; a second worker is idle, ready to take over.
    env = services.portal_env(
        redis_url=redis.url,
        smtp_port=sink.port,
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}?timeout=20",
        WORKER_LOST_AFTER_SECONDS=3,
        WORKER_HEARTBEAT_SECONDS=1,
    )
    try:
        processes("worker", env)
        processes("worker", env)
        processes("dispatcher", env)
        start_run(redis.url)
        services.wait_for(lambda: run_finished(1), 60, "the run")
        time.sleep(6)  # a copy sent by the idle worker would arrive now
        assert sink.count_to() == Counter({member.email: 1})
        delivery = DigestDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("sent", 1)
        task = OutboxTask.objects.get(task=MEMBER_TASK)
        assert (task.status, task.sends) == ("done", 1)  # never taken for lost
    finally:
        sink.stop()
