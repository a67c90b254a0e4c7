"""The transactional outbox: Celery tasks that survive a broker outage.

Use it instead of ``task.delay()`` / ``transaction.on_commit(lambda: task.delay(...))``::

    from community import outbox

    @transaction.atomic
    def export_request(*, user):
        export = DataExport.objects.create(user=user)
        outbox.enqueue(tasks.build_export, export.pk, key=f"export:{export.pk}")
        return export

``enqueue`` writes an ``OutboxTask`` row in the caller's transaction: if the write is rolled
back, so is the task; if it is committed, so is the task, whatever the broker is doing. Once the
transaction commits, the task is sent to the broker at once (in-process without REDIS_URL). If
the broker cannot be reached, the row stays pending and the request carries on; the pending rows
are sent again by

- ``manage.py outbox_dispatch --loop`` (the ``outbox`` service of docker compose): it does not
  need the broker to be up to run, unlike Celery beat, whose schedule goes through the broker;
- the web process itself: after a successful send it also sends a few older pending rows;
- the ``community.tasks.dispatch_outbox`` beat task, once the broker is back.

Rules for the tasks you enqueue:

- arguments are JSON (ids, strings, numbers), never model instances: the task reads the rows;
- *key* names the event ("export:42", "email:verification_decision:7"): enqueueing a key that
  exists already does nothing, so a double submission or a replayed service queues once;
- a task may run more than once (a worker killed before acknowledging it, a row sent again
  after a crash between sending and recording it), so make it idempotent: check a ledger row
  or a status before acting, as ``community.emails.deliver`` does for emails.

A worker that dies leaves its work behind: the task it ran, or a retry it held for later. While
a worker runs a task, a heartbeat (``community.leases``) moves the row's ``lease_until`` on; a
task retried later gets a lease that ends WORKER_LOST_AFTER_SECONDS after its retry is due. A
sent row whose lease has passed without the task finishing is due again: the dispatcher sends
it within a minute or two of the crash instead of waiting for Redis's visibility timeout.

For emails, call ``community.emails.queue(kind, key=..., **params)``: it enqueues the
``send_email`` task, which retries with backoff while the SMTP server is down.
"""

import datetime
import logging
import time

from celery.exceptions import Retry
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from . import leases
from .models import OutboxTask

logger = logging.getLogger(__name__)

Status = OutboxTask.Status
CELERY_ID_PREFIX = "outbox-"

# When the broker failed in this process, do not try it again before this time (monotonic):
# a request should not wait for a connection timeout on every write during an outage.
_broker_down_until = 0.0


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def enqueue(task, *args, key: str, **kwargs) -> OutboxTask:
    """Record *task* (a Celery task or its name) with *args* and *kwargs* in this transaction.

    It is sent to the broker once the transaction commits (at once outside a transaction). An
    existing *key* is not queued again: the existing row is returned.
    """
    try:
        with transaction.atomic():
            row = OutboxTask.objects.create(
                key=key, task=_task_name(task), args=list(args), kwargs=kwargs
            )
    except IntegrityError:
        return OutboxTask.objects.get(key=key)
    transaction.on_commit(lambda: dispatch(row.pk, then_pending=True))
    return row


def enqueue_many(task, calls: list[tuple[str, list]]) -> None:
    """Record *task* once per ``(key, args)`` of *calls*, in one INSERT; like ``enqueue``.

    Keys that exist already are left as they are. The new rows are sent once the transaction
    commits; those a broker failure leaves pending wait for the dispatcher.
    """
    name = _task_name(task)
    OutboxTask.objects.bulk_create(
        [OutboxTask(key=key, task=name, args=list(args)) for key, args in calls],
        ignore_conflicts=True,
    )
    keys = [key for key, _args in calls]

    def send():
        pending = OutboxTask.objects.filter(key__in=keys, status=Status.PENDING)
        for pk in pending.order_by("pk").values_list("pk", flat=True):
            dispatch(pk)

    transaction.on_commit(send)


def _app():
    from medi4sec.celery import app

    return app


def _publish(row: OutboxTask) -> None:
    """Send *row*'s task to the broker (run it, in-process mode); raise if that fails."""
    app = _app()
    task = app.tasks.get(row.task)
    if task is None:
        app.loader.import_default_modules()  # the tasks modules of every app (autodiscovery)
        task = app.tasks.get(row.task)
    if app.conf.task_always_eager and task is not None:
        task.apply_async(args=row.args, kwargs=row.kwargs, task_id=row.celery_id)
        return
    # One connection attempt, no retries: kombu's default retries for the broker connection
    # timeout (seconds) on every send, which a request should not wait for during an outage.
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2)
        app.send_task(
            row.task,
            args=row.args,
            kwargs=row.kwargs,
            task_id=row.celery_id,
            connection=connection,
            retry=False,
        )


def _is_eager() -> bool:
    return bool(_app().conf.task_always_eager)


def _send(row: OutboxTask) -> bool:
    """Send one claimed row; record the outcome; return whether it reached the broker."""
    global _broker_down_until
    error = None
    try:
        # A savepoint, rolled back only for a database error, so the transaction stays usable;
        # a task run in-process that fails otherwise keeps what it recorded (its ledger row).
        with transaction.atomic():
            try:
                _publish(row)
            except DatabaseError:
                raise
            except Exception as failure:
                error = failure
    except DatabaseError as failure:
        error = failure
    if error is not None:
        # In-process mode this is the task failing; otherwise the broker is out of reach.
        if not _is_eager():
            _broker_down_until = time.monotonic() + settings.OUTBOX_BROKER_RETRY_SECONDS
        if row.failed_publishes % 100 == 0:  # the first failure, then every hundredth
            logger.warning("outbox: %s [%s] not sent, kept pending: %r", row.task, row.key, error)
        OutboxTask.objects.filter(pk=row.pk).update(
            failed_publishes=F("failed_publishes") + 1, error=repr(error)[:2000]
        )
        return False
    now = timezone.now()
    status = Status.DONE if _is_eager() else Status.SENT
    # A worker may have finished the task already (done): never move a row back from there. One
    # that started it already (without the row lock of PostgreSQL) keeps its shorter lease.
    lost_after = now + datetime.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    sent = OutboxTask.objects.filter(pk=row.pk)
    sent.update(
        sent_at=now,
        sends=F("sends") + 1,
        error="",
        lease_until=Case(
            When(lease_until__gt=now, then=F("lease_until")), default=Value(lost_after)
        ),
    )
    sent.exclude(status=Status.DONE).update(status=status)
    return True


def _claim(queryset):
    """Lock and return the rows of *queryset*; rows another dispatcher holds are left out."""
    if settings.IS_POSTGRES:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset)


def dispatch(pk: int, *, then_pending: bool = False) -> bool:
    """Send the pending task *pk* now; return whether it was sent.

    With *then_pending*, a successful send is followed by a batch of older pending rows: the
    broker is evidently back. While the broker is known to be down (a recent failure in this
    process), nothing is tried: the row waits for the dispatcher.
    """
    if time.monotonic() < _broker_down_until:
        return False
    with transaction.atomic():
        rows = _claim(OutboxTask.objects.filter(pk=pk, status=Status.PENDING))
        sent = bool(rows) and _send(rows[0])
    if sent and then_pending:
        dispatch_pending(limit=settings.OUTBOX_PIGGYBACK_BATCH, stop_on_failure=True)
    return sent


def due_rows():
    """Return the rows to send: pending ones, and sent ones whose lease passed unfinished."""
    return OutboxTask.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.SENT, lease_until__lt=timezone.now())
    ).order_by("pk")


def dispatch_pending(*, limit: int = 500, stop_on_failure: bool = True) -> int:
    """Send up to *limit* due rows, oldest first; return how many were sent.

    A row sent OUTBOX_MAX_SENDS times without finishing is marked failed and logged. The
    first broker failure ends the batch (*stop_on_failure*): the broker is down.
    """
    sent = 0
    with transaction.atomic():
        for row in _claim(due_rows()[:limit]):
            if row.sends >= settings.OUTBOX_MAX_SENDS:
                logger.error("outbox: %s [%s] never finished, given up", row.task, row.key)
                OutboxTask.objects.filter(pk=row.pk).update(status=Status.FAILED)
                continue
            if row.status == Status.SENT:
                logger.warning(
                    "outbox: %s [%s] not finished by its lease (a lost worker or broker), sent "
                    "again",
                    row.task,
                    row.key,
                )
            if _send(row):
                sent += 1
            elif stop_on_failure and not _is_eager():
                break
    return sent


def prune(now=None) -> int:
    """Delete finished tasks older than OUTBOX_KEEP_DAYS and email ledger rows older than
    EMAIL_LEDGER_KEEP_DAYS; return how many rows went.

    Pending, sent and failed tasks stay: they are work not done (or an operator's to look at).
    """
    from .models import EmailDelivery

    now = now or timezone.now()
    tasks, _detail = OutboxTask.objects.filter(
        status=Status.DONE,
        created_at__lt=now - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS),
    ).delete()
    ledger, _detail = EmailDelivery.objects.filter(
        status__in=[EmailDelivery.Status.SENT, EmailDelivery.Status.SKIPPED],
        claimed_at__lt=now - datetime.timedelta(days=settings.EMAIL_LEDGER_KEEP_DAYS),
    ).delete()
    return tasks + ledger


def pending_count() -> int:
    """Return how many tasks wait for the broker (for /readyz and the dispatcher's log)."""
    return OutboxTask.objects.filter(status=Status.PENDING).count()


def broker_recovered() -> None:
    """Forget a broker failure seen by this process (after the dispatcher reached it)."""
    global _broker_down_until
    _broker_down_until = 0.0


def _row_pk(task_id) -> int | None:
    if not task_id or not task_id.startswith(CELERY_ID_PREFIX):
        return None
    try:
        return int(task_id.removeprefix(CELERY_ID_PREFIX))
    except ValueError:
        return None


def _refresh_leases(model, pks, now) -> None:
    """Move on the leases of the rows *pks* this worker runs (the heartbeat); never shorten one."""
    lease = now + datetime.timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
    model.objects.filter(pk__in=pks, status=Status.SENT).update(
        lease_until=Case(When(lease_until__gt=lease, then=F("lease_until")), default=Value(lease))
    )


def task_started(pk: int) -> None:
    """Record that a worker started the task of row *pk*: its lease is now its heartbeat."""
    lease = timezone.now() + datetime.timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
    OutboxTask.objects.filter(pk=pk, status=Status.SENT).update(lease_until=lease)
    leases.hold(_refresh_leases, OutboxTask, pk)


def task_ended(pk: int, *, state: str, retry_at=None) -> None:
    """Record how a worker's run of the task of row *pk* ended.

    Done when it succeeded; retried: its lease ends WORKER_LOST_AFTER_SECONDS after *retry_at*,
    when the retry should have started; failed: it is sent again after
    OUTBOX_RESEND_AFTER_SECONDS, as if the broker had lost it.
    """
    now = timezone.now()
    row = OutboxTask.objects.filter(pk=pk).exclude(status=Status.DONE)
    if state == "SUCCESS":
        row.update(status=Status.DONE, done_at=now)
    elif state == "RETRY":
        wait = settings.WORKER_LOST_AFTER_SECONDS
        row.filter(status=Status.SENT).update(
            lease_until=max(retry_at or now, now) + datetime.timedelta(seconds=wait)
        )
    else:
        wait = settings.OUTBOX_RESEND_AFTER_SECONDS
        row.filter(status=Status.SENT).update(lease_until=now + datetime.timedelta(seconds=wait))


# The heartbeat's own signal handlers (community.leases) were connected first, on import above.


@task_prerun.connect
def _task_prerun(task_id=None, task=None, **kwargs):
    pk = _row_pk(task_id)
    if pk is not None and not task.request.is_eager:
        task_started(pk)


@task_postrun.connect
def _task_postrun(task_id=None, task=None, state=None, retval=None, **kwargs):
    """Record the end of a worker's (or the in-process) run of an outbox task."""
    pk = _row_pk(task_id)
    if pk is None:
        return
    retry_at = None
    if state == "RETRY" and isinstance(retval, Retry):
        retry_at = _retry_time(retval.when)
    task_ended(pk, state=state, retry_at=retry_at)


def _retry_time(when) -> datetime.datetime | None:
    """Return when a retry (``Retry.when``: seconds from now, or a moment) is due."""
    if isinstance(when, datetime.datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when, datetime.UTC)
    if isinstance(when, int | float):
        return timezone.now() + datetime.timedelta(seconds=when)
    return None
