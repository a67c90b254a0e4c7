"""Periodic work of the community half: thin tasks that call a service."""

from celery import shared_task

# The outbox module marks its tasks done when they finish (a task_postrun handler): every
# worker imports it with this module.
from . import outbox, services


@shared_task
def send_verification_reminders():
    """Remind members 30 and 7 days before their practitioner verification expires."""
    return services.verification_reminders_send()


# Digest: beat starts send_digests; it fans out chunks of member ids, each member gets a task.


@shared_task
def send_digests(kind, now=None):
    """Start the *kind* digest run ("weekly" or "daily") for the last complete period."""
    import datetime

    from . import digest

    when = datetime.datetime.fromisoformat(now) if now else None
    return digest.run_start(kind=kind, now=when, enqueue=_digest_chunk_enqueue).pk


# The beat's own start of a run has this long to begin before the check below starts it instead.
MISSED_START_AFTER = 5 * 60


@shared_task
def send_missed_digests(now=None):
    """Start the digest runs whose start never ran (the broker was down, the worker died).

    A kind whose last period ended more than MISSED_START_AFTER seconds and less than a day ago
    and has no run yet is started now; older misses are left alone, so a new installation does
    not mail last week's digest.
    """
    import datetime

    from django.utils import timezone

    from . import digest
    from .digest.periods import KINDS, period_for
    from .models import DigestRun

    now = datetime.datetime.fromisoformat(now) if now else timezone.now()
    started = []
    for kind in KINDS:
        period_start, period_end = period_for(kind, now)
        late = datetime.timedelta(seconds=MISSED_START_AFTER) <= now - period_end
        recent = now - period_end < datetime.timedelta(days=1)
        if (
            late
            and recent
            and not DigestRun.objects.filter(kind=kind, period_start=period_start).exists()
        ):
            digest.run_start(kind=kind, now=now, enqueue=_digest_chunk_enqueue)
            started.append(kind)
    return started


def _digest_chunk_enqueue(user_ids, kind, period_start, run_id):
    # Through the outbox: a chunk whose fan-out a broker failure cut short never finishes, so
    # it is sent again later; the ledger keeps every member to one digest.
    outbox.enqueue(
        send_digest_chunk,
        user_ids,
        kind,
        period_start,
        run_id,
        key=f"digest-chunk:{run_id}:{user_ids[0]}",
    )


@shared_task
def send_digest_chunk(user_ids, kind, period_start, run_id):
    """Queue one digest task per member of a chunk."""
    # Through the outbox too: a member's task that a dying worker held is sent again within
    # minutes (its lease, community.outbox), not after the broker's visibility timeout.
    outbox.enqueue_many(
        send_member_digest,
        [
            (f"digest:{run_id}:{user_id}", [user_id, kind, period_start, run_id])
            for user_id in user_ids
        ],
    )


@shared_task(bind=True, max_retries=None)
def send_member_digest(self, user_id, kind, period_start, run_id=None):
    """Send one member's digest for the period starting at *period_start* (ISO 8601), once."""
    import datetime

    from django.conf import settings

    from . import digest

    try:
        return digest.deliver(
            user_id=user_id,
            kind=kind,
            period_start=datetime.datetime.fromisoformat(period_start),
            run_id=run_id,
            final_attempt=self.request.retries >= settings.DIGEST_MAX_RETRIES,
        )
    except digest.DigestTemporaryFailure as error:
        raise self.retry(
            exc=error, countdown=digest.retry_countdown(self.request.retries)
        ) from error
    except digest.DigestInProgress as busy:
        if self.request.is_eager:
            return "in_progress"  # nothing runs concurrently in-process: the claim is stale
        raise self.retry(countdown=busy.retry_in) from busy


# Privacy: exports are built in the background; retention runs every hour from beat.


@shared_task
def build_data_export(export_id):
    """Build the zip of one data export and email its link to the member."""
    from .services.exports import export_build

    export = export_build(export_id=export_id)
    return export.status if export else None


# One-off emails and the outbox (``community.outbox``, ``community.emails``).


@shared_task(bind=True, max_retries=None)
def send_email(self, kind, key, params, module=""):
    """Send the *kind* email for *key* once; wait and retry while the SMTP server is down.

    *module* defines the builder of *kind*; it is imported if this worker has not yet.
    """
    from django.conf import settings

    from . import emails

    try:
        return emails.deliver(
            kind=kind,
            key=key,
            params=params,
            module=module,
            final_attempt=self.request.retries >= settings.EMAIL_MAX_RETRIES,
        )
    except emails.EmailTemporaryFailure as error:
        if self.request.is_eager:
            raise  # in-process: the outbox keeps the task pending for the next dispatch
        raise self.retry(
            exc=error, countdown=emails.retry_countdown(self.request.retries)
        ) from error
    except emails.EmailInProgress as busy:
        if self.request.is_eager:
            raise
        raise self.retry(countdown=busy.retry_in) from busy


@shared_task
def dispatch_outbox():
    """Send outbox tasks that are still pending (the broker was down when they were queued).

    Also forget finished tasks and emails once they are old (``outbox.prune``).
    """
    outbox.prune()
    return outbox.dispatch_pending()


@shared_task
def apply_retention():
    """Erase unconfirmed accounts, old client addresses and expired exports."""
    from .services.privacy import retention_apply

    return retention_apply()
