"""Digest runs: one email per member and period, safe reruns, failures recorded, bad input."""

import datetime
import smtplib
import socket
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from community.emails import is_temporary
from community.models import DigestDelivery, DigestRun, DigestSubscription, User
from digest import delivery, tasks
from medi4sec.celery import app as celery_app
from medi4sec.mailers import mailer_from_url
from tests.factories import (
    ForumFactory,
    UserFactory,
    backdate,
    digest_period,
    during_period,
    make_case_study,
    make_staff,
    make_thread,
    subscribe,
)

# In-process also when REDIS_URL points the suite at a real broker (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def news(db):
    """A thread and a case study from the period, written by someone else."""
    when = during_period()
    author = UserFactory(username="author")
    thread = backdate(
        make_thread(ForumFactory(slug="open"), author, title="Rumours at the derby"), when
    )
    study = backdate(make_case_study("Police live-tweet a match"), when)
    return SimpleNamespace(thread=thread, study=study, author=author)


def subscriber(username, frequency="weekly", **fields):
    user = UserFactory(username=username, **fields)
    subscribe(user, frequency)
    return user


def run(kind="weekly"):
    # The run queues its chunks through the outbox, once the (test's) transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        run_id = tasks.send_digests.apply(args=[kind]).get()
    return DigestRun.objects.get(pk=run_id)


def period_start(kind="weekly"):
    return digest_period(kind)[0]


class FlakyBackend(LocmemBackend):
    """Refuse the first *failures* messages with *error*, then accept like locmem."""

    def __init__(self, error, failures=1, **kwargs):
        super().__init__(**kwargs)
        self.error, self.failures = error, failures

    def send_messages(self, messages):
        if self.failures:
            self.failures -= 1
            raise self.error
        return super().send_messages(messages)


@pytest.fixture
def eager_retries():
    """Let ``apply()`` run a task's retries in turn instead of raising the first Retry."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def use_mailer(monkeypatch, backend):
    monkeypatch.setattr(delivery, "mailers", SimpleNamespace(default=backend))


def test_a_run_sends_one_multipart_email_per_subscriber(news):
    ann, bob = subscriber("ann"), subscriber("bob")
    subscriber("daily-dan", frequency="daily")
    subscriber("off-olga", frequency="off")
    UserFactory(username="never-asked")

    result = run()
    assert sorted(m.to[0] for m in mail.outbox) == [ann.email, bob.email]
    assert (result.member_count, result.sent, result.skipped, result.failed) == (2, 2, 0, 0)

    message = next(m for m in mail.outbox if m.to == [ann.email])
    start, _end = digest_period()
    assert message.subject.startswith("[MEDI@4SEC] Your weekly digest: ")
    assert f"{timezone.localtime(start):%-d %b %Y}" in message.subject
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    token_url = headers["List-Unsubscribe"].strip("<>")
    assert token_url.startswith("http://127.0.0.1:8000/digest/unsubscribe/")
    assert "Rumours at the derby" in message.body
    assert f"http://127.0.0.1:8000{news.thread.get_absolute_url()}" in message.body
    assert "http://127.0.0.1:8000/case-studies/police-live-tweet-a-match/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    # Rules are inlined for mail clients that drop <style>; only the @media rule stays there.
    assert ".preheader {" not in html
    assert "@media" in html
    assert 'style="' in html
    assert 'class="preheader"' in html
    assert "1 new thread" in html
    assert f'href="http://127.0.0.1:8000{news.thread.get_absolute_url()}"' in html
    sent = message.message()
    assert sent["Message-ID"].startswith("<digest-weekly-")
    assert sent.is_multipart()


def test_a_rerun_and_a_second_beat_send_nothing_more(news):
    subscriber("ann"), subscriber("bob")
    run()
    assert len(mail.outbox) == 2
    second, third = run(), run()
    assert len(mail.outbox) == 2
    assert (second.sent, second.skipped) == (0, 2)
    assert (third.sent, third.skipped) == (0, 2)
    assert DigestDelivery.objects.filter(status="sent").count() == 2


def test_the_ledger_allows_one_row_per_member_kind_and_period(news):
    ann = subscriber("ann")
    DigestDelivery.objects.create(user=ann, kind="weekly", period_start=period_start())
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestDelivery.objects.create(user=ann, kind="weekly", period_start=period_start())
    DigestDelivery.objects.create(user=ann, kind="daily", period_start=period_start())


def test_nothing_new_sends_no_email():
    subscriber("ann")
    result = run()
    assert mail.outbox == []
    assert (result.sent, result.skipped) == (0, 1)
    assert DigestDelivery.objects.get().reason == "empty"


def test_absent_members_are_told_once_then_left_alone(news):
    long_ago = timezone.now() - datetime.timedelta(days=200)
    absent = subscriber("absent", last_login=long_ago)
    subscriber("present", last_login=timezone.now())

    run()
    assert sorted(m.to[0] for m in mail.outbox) == [absent.email, "present@example.eu"]
    notice = next(m for m in mail.outbox if m.to == [absent.email])
    assert "paused" in notice.subject
    assert "200" not in notice.body
    assert "180 days" in notice.body
    assert DigestDelivery.objects.get(user=absent).reason == "absent"
    assert DigestSubscription.objects.get(user=absent).absence_notified_at is not None

    # The next period: not even a task for them, and no second notice.
    mail.outbox.clear()
    later = period_start() + datetime.timedelta(days=9)
    assert absent.pk not in set(delivery.subscriber_ids("weekly", later))
    assert delivery.deliver(user_id=absent.pk, kind="weekly", period_start=later) == "absent"
    assert mail.outbox == []

    # Back on the site: the digest starts again and a later absence is told again.
    User.objects.filter(pk=absent.pk).update(last_login=timezone.now())
    assert absent.pk in set(delivery.subscriber_ids("weekly"))
    delivery.deliver(user_id=absent.pk, kind="weekly", period_start=later + datetime.timedelta(7))
    assert DigestSubscription.objects.get(user=absent).absence_notified_at is None


def test_a_permanent_failure_is_recorded_and_the_run_goes_on(news, monkeypatch):
    subscriber("refused"), subscriber("fine")
    refused = smtplib.SMTPRecipientsRefused({"refused@example.eu": (550, b"No such user")})

    class RefuseOne(LocmemBackend):
        def send_messages(self, messages):
            if messages[0].to == ["refused@example.eu"]:
                raise refused
            return super().send_messages(messages)

    use_mailer(monkeypatch, RefuseOne())
    result = run()
    assert [m.to for m in mail.outbox] == [["fine@example.eu"]]
    assert (result.sent, result.failed) == (1, 1)
    failed = DigestDelivery.objects.get(status="failed")
    assert failed.user.username == "refused"
    assert "550" in failed.error
    # A rerun does not try a refused address again.
    assert run().failed == 0


def test_a_temporary_failure_is_retried_and_sent_once(news, monkeypatch, eager_retries):
    ann = subscriber("ann")
    use_mailer(monkeypatch, FlakyBackend(smtplib.SMTPServerDisconnected("gone"), failures=2))
    outcome = tasks.send_member_digest.apply(
        args=[ann.pk, "weekly", period_start().isoformat()]
    ).get()
    assert outcome == "sent"
    assert len(mail.outbox) == 1
    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts) == ("sent", 3)
    # Waits grow exponentially between attempts.
    assert [delivery.retry_countdown(n) for n in range(4)] == [60, 120, 240, 480]


def test_temporary_failures_become_a_failure_after_the_last_retry(
    news, monkeypatch, settings, eager_retries
):
    settings.DIGEST_MAX_RETRIES = 2
    ann = subscriber("ann")
    busy = smtplib.SMTPResponseException(421, b"Try again later")
    use_mailer(monkeypatch, FlakyBackend(busy, failures=10))
    outcome = tasks.send_member_digest.apply(
        args=[ann.pk, "weekly", period_start().isoformat()]
    ).get()
    assert outcome == "failed"
    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 3)
    assert "421" in row.error
    assert mail.outbox == []


def test_connection_refused_is_temporary(news, settings):
    ann = subscriber("ann")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{port}?timeout=2")}
    with pytest.raises(delivery.DigestTemporaryFailure):
        delivery.deliver(user_id=ann.pk, kind="weekly", period_start=period_start())
    row = DigestDelivery.objects.get()
    assert row.status == "retrying"
    assert "Connection" in row.error
    # The retry claims the row again and sends.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert delivery.deliver(user_id=ann.pk, kind="weekly", period_start=period_start()) == "sent"
    assert DigestDelivery.objects.get().attempts == 2


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.eu": (550, b"unknown")}), False),
        (smtplib.SMTPRecipientsRefused({"a@b.eu": (450, b"greylisted")}), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPDataError(451, b"local error"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (smtplib.SMTPNotSupportedError("no"), False),
    ],
)
def test_smtp_errors_are_sorted_into_temporary_and_permanent(error, temporary):
    assert is_temporary(error) is temporary


def test_a_claim_held_by_a_live_worker_is_left_alone_a_stale_one_is_taken_over(news, settings):
    ann = subscriber("ann")
    start = period_start()
    DigestDelivery.objects.create(user=ann, kind="weekly", period_start=start)
    with pytest.raises(delivery.DigestInProgress) as busy:
        delivery.deliver(user_id=ann.pk, kind="weekly", period_start=start)
    assert 0 < busy.value.retry_in <= settings.WORKER_LOST_AFTER_SECONDS + 1
    assert mail.outbox == []

    # The worker that claimed it was killed: after the stale time the redelivered task sends.
    DigestDelivery.objects.update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
    )
    assert delivery.deliver(user_id=ann.pk, kind="weekly", period_start=start) == "sent"
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().attempts == 2
    assert delivery.deliver(user_id=ann.pk, kind="weekly", period_start=start) == "already"
    assert len(mail.outbox) == 1


def test_a_claim_its_live_worker_refreshes_is_never_taken_over(news, settings, monkeypatch):
    import time_machine

    from community import leases

    monkeypatch.setattr(leases, "_in_worker", True)  # a worker process; its heartbeat by hand
    monkeypatch.setattr(leases, "_start_thread", lambda: None)
    ann = subscriber("ann")
    start = period_start()

    class Slow(LocmemBackend):
        """An SMTP server that takes ten times the lost-worker time, heartbeats meanwhile."""

        def send_messages(self, messages):
            for beat in range(1, 10 * settings.WORKER_LOST_AFTER_SECONDS // 5):
                moment = timezone.now() + datetime.timedelta(seconds=5 * beat)
                with time_machine.travel(moment, tick=False):
                    leases.refresh_held()
                    # Another worker with the same task (sent again, or handed out by Redis).
                    with pytest.raises(delivery.DigestInProgress):
                        delivery.deliver(user_id=ann.pk, kind="weekly", period_start=start)
            return super().send_messages(messages)

    use_mailer(monkeypatch, Slow())
    assert delivery.deliver(user_id=ann.pk, kind="weekly", period_start=start) == "sent"
    leases._task_ended()
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().attempts == 1


def test_a_members_task_that_runs_twice_in_a_run_is_counted_once(news):
    ann, bob = subscriber("ann"), subscriber("bob")
    result = run()
    # A worker died after sending ann's digest; her task ran again, then Redis handed it out too.
    for _copy in range(2):
        outcome = delivery.deliver(
            user_id=ann.pk, kind="weekly", period_start=period_start(), run_id=result.pk
        )
        assert outcome == "already"
    result.refresh_from_db()
    assert (result.member_count, result.sent, result.skipped) == (2, 2, 0)
    assert bob.digest_deliveries.get().status == "sent"


def test_a_run_start_that_dies_half_way_leaves_no_run_the_missed_check_would_skip(news, settings):
    settings.DIGEST_CHUNK_SIZE = 1
    subscriber("ann"), subscriber("bob")
    queued = []

    def dies_at_the_second_chunk(*args):
        if queued:
            raise SystemExit("SIGKILL")  # the worker is gone
        queued.append(args)

    with pytest.raises(SystemExit):
        delivery.run_start(kind="weekly", enqueue=dies_at_the_second_chunk)
    assert not DigestRun.objects.exists()  # so send_missed_digests starts the whole run


def test_bad_input_is_logged_counted_and_does_not_stop_the_run(news, caplog):
    no_email = subscriber("no-email", verified_email=False)
    User.objects.filter(pk=no_email.pk).update(email="")
    unverified = subscriber("unverified", verified_email=False)
    gone = subscriber("gone")
    fine = subscriber("fine")
    run_row = DigestRun.objects.create(
        kind="weekly", period_start=period_start(), period_end=digest_period()[1]
    )
    gone_id = gone.pk
    gone.delete()  # between the fan-out and its task
    ids = [no_email.pk, unverified.pk, gone_id, fine.pk]
    # The chunk queues its members through the outbox, once the (test's) transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.send_digest_chunk.apply(args=[ids, "weekly", period_start().isoformat(), run_row.pk])

    assert [m.to for m in mail.outbox] == [[fine.email]]
    run_row.refresh_from_db()
    assert (run_row.sent, run_row.skipped, run_row.failed) == (1, 3, 0)
    reasons = dict(DigestDelivery.objects.values_list("user__username", "reason"))
    assert reasons == {"no-email": "no_email", "unverified": "unverified_email", "fine": ""}
    assert f"member {gone_id} no longer exists" in caplog.text
    assert "has no email address" in caplog.text


def test_a_member_who_unsubscribed_after_the_fan_out_gets_nothing(news):
    ann = subscriber("ann")
    subscribe(ann, "off")
    assert delivery.deliver(user_id=ann.pk, kind="weekly", period_start=period_start()) == (
        "unsubscribed"
    )
    assert mail.outbox == []


def test_the_beat_schedule_starts_weekly_and_daily_runs(settings):
    weekly = settings.CELERY_BEAT_SCHEDULE["digest-weekly"]
    daily = settings.CELERY_BEAT_SCHEDULE["digest-daily"]
    assert weekly["task"] == daily["task"] == "community.tasks.send_digests"
    assert (weekly["args"], daily["args"]) == (["weekly"], ["daily"])
    assert weekly["schedule"].hour == {7}
    assert weekly["schedule"].day_of_week == {1}
    assert weekly["schedule"].minute == {0}
    assert daily["schedule"].hour == {7}
    assert settings.CELERY_TIMEZONE == "Europe/Brussels"


def test_digest_preview_prints_the_text_version(news, capsys):
    subscriber("ann")
    call_command("digest_preview", "ann")
    out = capsys.readouterr().out
    assert "Subject: [MEDI@4SEC] Your weekly digest" in out
    assert "Rumours at the derby" in out
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_staff_preview_a_members_digest_and_see_the_runs(client, news):
    subscriber("ann")
    run()
    client.force_login(make_staff(is_superuser=True))
    listing = client.get(reverse("admin:community_digestrun_changelist"))
    assert listing.status_code == 200
    preview_url = reverse("admin:community_digest_preview")
    assert preview_url.encode() in listing.content
    assert client.get(preview_url).status_code == 200
    html = client.get(preview_url, {"username": "ann"})
    assert html.status_code == 200
    assert b"Rumours at the derby" in html.content
    assert b'style="' in html.content
    text = client.get(preview_url, {"username": "ann", "format": "text"})
    assert text["Content-Type"].startswith("text/plain")
    assert client.get(preview_url, {"username": "nobody"}).status_code == 404
    ledger = client.get(reverse("admin:community_digestdelivery_changelist"), {"status": "sent"})
    assert ledger.status_code == 200
    assert User.objects.get(username="ann").get_display_name() in ledger.content.decode()


def test_members_cannot_open_the_preview(client, news):
    client.force_login(UserFactory(username="curious"))
    response = client.get(reverse("admin:community_digest_preview"), {"username": "author"})
    assert response.status_code == 302  # to the admin log-in
