"""Redis, the SMTP server and the worker really fail; nothing is lost and nothing is sent twice.

Real processes on spare ports (tests/reliability/services.py): a private redis-server, an aiosmtpd
server, gunicorn, a Celery worker and the outbox dispatcher, all on the test database
(PostgreSQL: SQLite's in-memory test database cannot be shared with other processes).
"""

import re
import shutil
import time
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from community import emails, services
from community.models import EmailDelivery, Notification, OutboxTask, Post, VerificationDecision
from medi4sec.celery import app as celery_app
from tests.factories import ForumFactory, UserFactory, make_thread

from . import services as real

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.skipif(
        not settings.IS_POSTGRES,
        reason="the worker process needs a database it can share: PostgreSQL",
    ),
]

# Work not refreshed by its worker's heartbeat for this long belongs to a dead worker (the
# default is a minute; the digest worker test waits for it). Redis's visibility timeout stays
# at its default, an hour: recovery must not depend on it.
LOST_AFTER_SECONDS = 3
HEARTBEAT_SECONDS = 1
WEB_ENV = {
    "DEBUG": "false",
    # The test's own key: the session it creates for the member must hold in gunicorn too.
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "OUTBOX_BROKER_RETRY_SECONDS": "1",
}


@pytest.fixture(scope="module")
def collected_static():
    import subprocess
    import sys

    subprocess.run(  # noqa: S603
        [sys.executable, str(real.ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env={**real.os.environ, **WEB_ENV, "DATABASE_URL": "", "REDIS_URL": ""},
        check=True,
        cwd=real.ROOT,
    )


@pytest.fixture
def redis():
    server = real.PrivateRedis()
    server.start()
    # This test process queues tasks too (services called here): to the private Redis.
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = server.url
    yield server
    celery_app.conf.broker_url = previous
    server.stop()


@pytest.fixture
def sink():
    server = real.Sink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes(tmp_path):
    started = []

    def start(kind, env, **options):
        factory = getattr(real, kind)
        process = factory(env, tmp_path / f"{kind}-{len(started)}.log", **options).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    for process in started:
        print(f"--- {process.log_path.name}\n{process.tail()}")  # shown when a test fails


def test_pages_answer_and_a_reply_posted_while_redis_is_down_is_emailed_once_it_is_back(
    collected_static, redis, sink, processes
):
    call_command("createcachetable")  # where the cache lives while Redis is down
    env = real.portal_env(redis_url=redis.url, smtp_port=sink.port, **WEB_ENV)
    port = real.free_port()
    processes("gunicorn", env, port=port)
    processes("worker", env)
    processes("dispatcher", env)
    ana = UserFactory(username="ana", email="ana@example.eu", display_name="Ana")
    forum = ForumFactory(slug="incidents", name="Incidents")
    thread = make_thread(forum, ana, title="Flooding in the old town")
    bert = UserFactory(username="bert", display_name="Bert")
    web = Client()
    web.force_login(bert)  # a database session: sessions do not live in Redis
    base = f"http://127.0.0.1:{port}"
    real.wait_for(lambda: real.is_listening(port), 20, "gunicorn")
    anonymous, signed_in = real.Browser(base), real.Browser(base, web.cookies["sessionid"].value)

    pages = ["/", "/forums/", "/forums/incidents/", thread.get_absolute_url(), "/case-studies/"]
    for _round in range(2):  # both gunicorn workers load their code while Redis is up
        for page in pages:
            assert signed_in.get(page)[0] == 200, page

    # Static files: content-hashed names, cached for good by browsers; a change is a new name.
    _status, home = anonymous.get("/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home).group(1)
    status, _css = anonymous.get(stylesheet)
    assert status == 200
    assert "immutable" in anonymous.headers["Cache-Control"]

    redis.stop()
    for page in pages:
        assert anonymous.get(page)[0] == 200, page
        assert signed_in.get(page)[0] == 200, page
    assert anonymous.get("/readyz")[0] == 503  # the broker is down: not ready, still serving
    status, _body = signed_in.post_form(
        thread.get_absolute_url(),
        f"/t/{thread.pk}/reply/",
        {"body": "The river is rising near the bridge."},
    )
    assert status == 302
    reply = Post.objects.get(thread=thread, number=2)
    assert Notification.objects.filter(recipient=ana, post=reply).exists()
    task = OutboxTask.objects.get(task="community.tasks.send_email")
    assert task.status == "pending"  # recorded with the reply, waiting for the broker
    time.sleep(1)
    assert sink.messages == []

    redis.start()  # empty: whatever was queued before is gone, the outbox still has the task
    real.wait_for(lambda: sink.messages, 30, "the notification email")
    time.sleep(1.5)  # a second copy would arrive now
    assert sink.count_to() == {"ana@example.eu": 1}
    subject = str(make_header(decode_header(sink.messages[0]["Subject"])))
    assert subject == "[MEDI@4SEC] Bert replied in “Flooding in the old town”"
    task.refresh_from_db()
    assert task.status == "done"
    assert EmailDelivery.objects.get().status == "sent"


def test_emails_wait_while_smtp_is_down_and_each_arrives_once_it_is_back(redis, sink, processes):
    env = real.portal_env(
        redis_url=redis.url, smtp_port=sink.port, EMAIL_RETRY_BASE_SECONDS=1,
        EMAIL_RETRY_MAX_SECONDS=2,
    )  # fmt: skip
    processes("worker", env)
    sink.stop()
    members = [UserFactory(email=f"member{number}@example.eu") for number in range(3)]
    for member in members:
        with transaction.atomic():
            decision = VerificationDecision.objects.create(
                user=member, action=VerificationDecision.Action.REVOKED, reason="Left."
            )
            emails.queue("verification_decision", decision_id=decision.pk)
    assert set(OutboxTask.objects.values_list("status", flat=True)) == {"sent"}
    real.wait_for(
        lambda: EmailDelivery.objects.filter(status="retrying", attempts__gte=2).count() == 3,
        30,
        "every email tried twice while the SMTP server is down",
    )
    sink.start()
    real.wait_for(lambda: len(sink.messages) >= 3, 30, "the emails, once SMTP is back")
    time.sleep(2.5)  # longer than a retry interval: a copy would arrive now
    assert sink.count_to() == {member.email: 1 for member in members}
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutboxTask.objects.values_list("status", flat=True)) == {"done"}


def test_a_killed_workers_emails_are_each_sent_exactly_once(redis, processes):
    sink = real.Sink(delay=0.4)  # slow: the worker can be killed in the middle of a send
    sink.start()
    env = real.portal_env(
        redis_url=redis.url, smtp_port=sink.port, WORKER_LOST_AFTER_SECONDS=LOST_AFTER_SECONDS,
        WORKER_HEARTBEAT_SECONDS=HEARTBEAT_SECONDS,
    )  # fmt: skip
    try:
        author = UserFactory(username="author")
        watchers = [UserFactory(email=f"watcher{number}@example.eu") for number in range(6)]
        for number, watcher in enumerate(watchers):
            thread = make_thread(ForumFactory(), watcher, title=f"Thread {number}")
            services.post_create(author=author, thread=thread, body="A reply.")
        assert OutboxTask.objects.filter(status="sent").count() == len(watchers)

        worker = processes("worker", env)
        real.wait_for(
            lambda: len(sink.messages) >= 2 and sink.recipients_started > len(sink.messages),
            30,
            "two emails sent and a third under way",
        )
        worker.kill()
        assert len(sink.messages) < len(watchers)
        assert EmailDelivery.objects.filter(status="sending").count() == 1

        # The outbox dispatcher sends the lost task again once its lease has passed.
        processes("dispatcher", env)
        processes("worker", env)
        real.wait_for(lambda: len(sink.messages) >= len(watchers), 40, "every email")
        time.sleep(1.5)
        assert sink.count_to() == {watcher.email: 1 for watcher in watchers}
        assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}
        assert EmailDelivery.objects.filter(attempts=2).count() == 1  # the interrupted one
        assert set(OutboxTask.objects.values_list("status", flat=True)) == {"done"}
        assert OutboxTask.objects.filter(sends=2).count() == 1  # sent again, once
    finally:
        sink.stop()
