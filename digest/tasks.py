"""The digest's Celery tasks: beat starts a run, a run fans out chunks, each member gets a task.

The tasks keep the names they had in ``community.tasks``: the beat schedule and the outbox rows
already stored carry them.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

# The outbox module marks its tasks done when they finish (a task_postrun handler): every
# worker imports it with this module.
from community import outbox
from community.models import DigestRun

from .delivery import DigestInProgress, DigestTemporaryFailure, deliver, retry_countdown, run_start
from .periods import KINDS, period_for


@shared_task(name="community.tasks.send_digests")
def send_digests(kind, now=None):
    """Start the *kind* digest run ("weekly" or "daily") for the last complete period."""
    when = datetime.datetime.fromisoformat(now) if now else None
    return run_start(kind=kind, now=when, enqueue=_digest_chunk_enqueue).pk


# The beat's own start of a run has this long to begin before the check below starts it instead.
MISSED_START_AFTER = 5 * 60


@shared_task(name="community.tasks.send_missed_digests")
def send_missed_digests(now=None):
    """Start the digest runs whose start never ran (the broker was down, the worker died).

    A kind whose last period ended more than MISSED_START_AFTER seconds and less than a day ago
    and has no run yet is started now; older misses are left alone, so a new installation does
    not mail last week's digest.
    """
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
            run_start(kind=kind, now=now, enqueue=_digest_chunk_enqueue)
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


@shared_task(name="community.tasks.send_digest_chunk")
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


@shared_task(bind=True, max_retries=None, name="community.tasks.send_member_digest")
def send_member_digest(self, user_id, kind, period_start, run_id=None):
    """Send one member's digest for the period starting at *period_start* (ISO 8601), once."""
    try:
        return deliver(
            user_id=user_id,
            kind=kind,
            period_start=datetime.datetime.fromisoformat(period_start),
            run_id=run_id,
            final_attempt=self.request.retries >= settings.DIGEST_MAX_RETRIES,
        )
    except DigestTemporaryFailure as error:
        raise self.retry(exc=error, countdown=retry_countdown(self.request.retries)) from error
    except DigestInProgress as busy:
        if self.request.is_eager:
            return "in_progress"  # nothing runs concurrently in-process: the claim is stale
        raise self.retry(countdown=busy.retry_in) from busy
