"""The outbox and the email ledger, in-process: nothing lost, nothing twice, nothing rolled back.

The real broker and SMTP outages are in tests/reliability/test_outbox_worker.py.
"""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import TestCase
from kombu.exceptions import OperationalError

from community import emails, outbox
from community.models import EmailDelivery, OutboxTask, VerificationDecision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def decision_for(user):
    return VerificationDecision.objects.create(
        user=user, action=VerificationDecision.Action.REVOKED, reason="You left."
    )


def test_an_email_queued_in_a_rolled_back_transaction_is_never_sent(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.queue("verification_decision", decision_id=decision_for(user).pk)
        transaction.set_rollback(True)
    assert not OutboxTask.objects.exists()
    assert mail.outbox == []


def test_a_committed_email_is_sent_once_even_when_queued_twice(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="ana@example.eu")
    decision = decision_for(user)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.queue("verification_decision", decision_id=decision.pk)
        emails.queue("verification_decision", decision_id=decision.pk)
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue("verification_decision", decision_id=decision.pk)
        outbox.dispatch_pending()
    assert [message.to for message in mail.outbox] == [["ana@example.eu"]]
    task = OutboxTask.objects.get()
    assert (task.status, task.sends) == ("done", 1)
    assert task.key == f"email:verification_decision,decision_id={decision.pk}"
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert mail.outbox[0].extra_headers["Message-ID"] == emails.message_id(delivery.key)


def test_with_the_broker_down_the_write_succeeds_and_the_task_waits(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory(email="ana@example.eu")

    def broker_down(row):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_publish", broker_down)
    monkeypatch.setattr(outbox, "_is_eager", lambda: False)
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue("verification_decision", decision_id=decision_for(user).pk)
    task = OutboxTask.objects.get()
    assert (task.status, task.failed_publishes) == ("pending", 1)
    assert "Connection refused" in task.error
    assert mail.outbox == []

    # While the broker is known to be down, later writes do not wait for it again.
    calls = []
    monkeypatch.setattr(outbox, "_publish", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue("verification_decision", decision_id=decision_for(user).pk)
    assert calls == []
    assert OutboxTask.objects.filter(status="pending").count() == 2

    # The dispatcher sends both, oldest first, once the broker answers.
    assert outbox.dispatch_pending() == 2
    assert [row.key for row in calls] == list(
        OutboxTask.objects.order_by("pk").values_list("key", flat=True)
    )
    assert set(OutboxTask.objects.values_list("status", flat=True)) == {"sent"}
    assert outbox.dispatch_pending() == 0


def test_a_task_the_broker_lost_is_sent_again_then_given_up(settings, monkeypatch):
    settings.OUTBOX_RESEND_AFTER_SECONDS = 0
    settings.OUTBOX_MAX_SENDS = 2
    monkeypatch.setattr(outbox, "_is_eager", lambda: False)
    sent = []
    monkeypatch.setattr(outbox, "_publish", sent.append)
    row = outbox.enqueue("community.tasks.dispatch_outbox", key="lost")
    assert outbox.dispatch_pending() == 1
    assert outbox.dispatch_pending() == 1  # it never finished: sent again
    assert outbox.dispatch_pending() == 0
    row.refresh_from_db()
    assert (row.status, row.sends, len(sent)) == ("failed", 2, 2)


def test_smtp_down_keeps_the_email_waiting_then_it_is_sent_once(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory(email="ana@example.eu")
    original = EmailBackend.send_messages

    def refused(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue("verification_decision", decision_id=decision_for(user).pk)
    assert OutboxTask.objects.get().status == "pending"
    delivery = EmailDelivery.objects.get()
    assert delivery.status == "retrying"
    assert "Connection refused" in delivery.error

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert outbox.dispatch_pending() == 1
    assert outbox.dispatch_pending() == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert OutboxTask.objects.get().status == "done"


def test_an_email_about_something_gone_is_skipped(django_capture_on_commit_callbacks):
    decision = decision_for(UserFactory())
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.queue("verification_decision", decision_id=decision.pk)
        decision.delete()
    assert mail.outbox == []
    assert EmailDelivery.objects.get().status == "skipped"


def test_an_email_refused_for_good_is_recorded_failed_and_not_retried(
    django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    def refused(self, messages):
        raise smtplib.SMTPRecipientsRefused({"ana@example.eu": (550, b"No such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with django_capture_on_commit_callbacks(execute=True):
        emails.queue("verification_decision", decision_id=decision_for(UserFactory()).pk)
    assert EmailDelivery.objects.get().status == "failed"
    assert OutboxTask.objects.get().status == "done"
    assert outbox.dispatch_pending() == 0


def test_an_unknown_email_kind_is_refused_at_once():
    with pytest.raises(ValueError, match="No email builder"):
        emails.queue("no_such_email", user_id=1)


def test_a_worker_imports_the_module_of_a_builder_it_has_not_loaded(monkeypatch):
    import sys

    from community.tasks import send_email

    monkeypatch.delitem(sys.modules, "tests.community.outbox_builder", raising=False)
    monkeypatch.delitem(emails.BUILDERS, "outbox_test_greeting", raising=False)
    outcome = send_email.apply(
        args=["outbox_test_greeting", "greeting:1", {"to": "ana@example.eu"}],
        kwargs={"module": "tests.community.outbox_builder"},
    ).get()
    assert outcome == "sent"
    assert mail.outbox[0].to == ["ana@example.eu"]
    emails.BUILDERS.pop("outbox_test_greeting")  # as before the test


def test_old_finished_work_is_pruned_and_unfinished_work_is_kept(settings):
    import datetime

    from django.utils import timezone

    old = timezone.now() - datetime.timedelta(days=settings.EMAIL_LEDGER_KEEP_DAYS + 1)
    for status in ["done", "pending", "failed"]:
        OutboxTask.objects.create(key=f"old-{status}", task="x", status=status, created_at=old)
    OutboxTask.objects.create(key="recent-done", task="x", status="done")
    for status in ["sent", "skipped", "failed", "retrying"]:
        EmailDelivery.objects.create(key=f"old-{status}", kind="x", status=status, claimed_at=old)
    EmailDelivery.objects.create(key="recent-sent", kind="x", status="sent")
    outbox.prune()
    assert set(OutboxTask.objects.values_list("key", flat=True)) == {
        "old-pending",
        "old-failed",
        "recent-done",
    }
    assert set(EmailDelivery.objects.values_list("key", flat=True)) == {
        "old-failed",
        "old-retrying",
        "recent-sent",
    }


def test_a_digest_run_keeps_its_chunks_while_the_broker_is_down(monkeypatch):
    from digest.tasks import send_digests
    from tests.factories import subscribe

    members = [UserFactory() for _ in range(3)]
    for member in members:
        subscribe(member)

    def broker_down(row):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(outbox, "_publish", broker_down)
    monkeypatch.setattr(outbox, "_is_eager", lambda: False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        run_id = send_digests.apply(args=["weekly"]).get()
    chunk = OutboxTask.objects.get(task="community.tasks.send_digest_chunk")
    assert chunk.status == "pending"
    assert chunk.args[0] == [member.pk for member in members]
    assert chunk.args[3] == run_id

    sent = []
    monkeypatch.setattr(outbox, "_publish", sent.append)
    assert outbox.dispatch_pending() == 1
    assert [row.key for row in sent] == [f"digest-chunk:{run_id}:{members[0].pk}"]


def test_a_digest_start_missed_during_an_outage_is_started_within_minutes_once(settings):
    import datetime

    from digest.periods import period_for
    from digest.tasks import send_missed_digests

    def check(when):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return send_missed_digests.apply(args=[when.isoformat()]).get()

    _start, weekly_end = period_for("weekly")
    # Two days after the weekly start was due: too late, last week's digest is not sent now.
    assert "weekly" not in check(weekly_end + datetime.timedelta(days=2))
    # A minute after: the beat's own start may still be on its way.
    assert "weekly" not in check(weekly_end + datetime.timedelta(minutes=1))
    # Six minutes after: the beat's start was missed (or died with its worker), the check (every
    # minute) starts the run, once.
    assert settings.CELERY_BEAT_SCHEDULE["digest-missed"]["schedule"] == 60.0
    assert "weekly" in check(weekly_end + datetime.timedelta(minutes=6))
    assert check(weekly_end + datetime.timedelta(minutes=7)) == []


# A worker that dies: what it held comes back within minutes, and never while it lives.


@pytest.fixture
def in_worker(monkeypatch):
    """Act as a worker process that runs tasks from a broker (the heartbeat itself is called by
    hand: no thread)."""
    from community import leases

    monkeypatch.setattr(leases, "_in_worker", True)
    monkeypatch.setattr(leases, "_start_thread", lambda: None)
    monkeypatch.setattr(outbox, "_is_eager", lambda: False)
    sent = []
    monkeypatch.setattr(outbox, "_publish", sent.append)
    yield sent
    leases._task_ended()


def later(seconds):
    import datetime

    import time_machine
    from django.utils import timezone

    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


@pytest.mark.parametrize(
    ("task", "args"),
    [
        ("community.tasks.build_data_export", ["7"]),
        ("community.tasks.send_email", ["verification_decision", "k", {"decision_id": 1}]),
        ("community.tasks.send_member_digest", [1, "weekly", "2026-01-05T07:00:00+01:00", 1]),
        ("community.tasks.send_digest_chunk", [[1, 2], "weekly", "2026-01-05T07:00:00+01:00", 1]),
    ],
)
def test_a_task_a_dead_worker_held_is_sent_again_within_a_minute_or_two(
    in_worker, settings, task, args
):
    row = outbox.enqueue(task, *args, key="work")
    assert outbox.dispatch_pending() == 1
    outbox.task_started(row.pk)  # a worker runs it, then dies: no heartbeat, no end
    with later(settings.WORKER_LOST_AFTER_SECONDS - 5):
        assert outbox.dispatch_pending() == 0  # it may still be working
    with later(settings.WORKER_LOST_AFTER_SECONDS + 1):
        assert outbox.dispatch_pending() == 1  # not after OUTBOX_RESEND_AFTER_SECONDS (hours)
    assert settings.WORKER_LOST_AFTER_SECONDS <= 120
    row.refresh_from_db()
    assert (row.status, row.sends, len(in_worker)) == ("sent", 2, 2)


def test_a_live_workers_long_task_is_never_sent_again(in_worker, settings):
    from community import leases

    row = outbox.enqueue("community.tasks.build_data_export", "7", key="export:7")
    outbox.dispatch_pending()
    outbox.task_started(row.pk)
    # Ten minutes of work (ten times the lost-worker time), a heartbeat every
    # WORKER_HEARTBEAT_SECONDS: the dispatcher never finds it due in between.
    for beat in range(1, 600 // settings.WORKER_HEARTBEAT_SECONDS + 1):
        with later(beat * settings.WORKER_HEARTBEAT_SECONDS - 0.1):
            assert not outbox.due_rows().exists()
        with later(beat * settings.WORKER_HEARTBEAT_SECONDS):
            leases.refresh_held()
    leases._task_ended()
    outbox.task_ended(row.pk, state="SUCCESS")
    row.refresh_from_db()
    assert (row.status, row.sends) == ("done", 1)


def test_a_retry_a_dead_worker_held_is_sent_again_once_it_is_overdue(in_worker, settings):
    import datetime

    from django.utils import timezone

    row = outbox.enqueue("community.tasks.send_email", "x", "y", {}, key="email:y")
    outbox.dispatch_pending()
    outbox.task_started(row.pk)
    # The SMTP server is down: the task waits half an hour for its retry, held by a worker.
    retry_at = timezone.now() + datetime.timedelta(minutes=30)
    outbox.task_ended(row.pk, state="RETRY", retry_at=retry_at)
    with later(30 * 60 + settings.WORKER_LOST_AFTER_SECONDS - 5):
        assert outbox.dispatch_pending() == 0  # its retry may be running now
    with later(30 * 60 + settings.WORKER_LOST_AFTER_SECONDS + 1):
        assert outbox.dispatch_pending() == 1  # the worker that held it died
    # A task that failed (an exception) is sent again as before: after hours, not minutes.
    outbox.task_started(row.pk)
    outbox.task_ended(row.pk, state="FAILURE")
    with later(settings.OUTBOX_RESEND_AFTER_SECONDS - 60):
        assert outbox.dispatch_pending() == 0
