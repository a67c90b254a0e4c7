"""Claim-before-send ledgers: the digest (``DigestDelivery``) and other emails (``EmailDelivery``).

A message's ledger row is inserted, status "sending", before anything is sent; a unique
constraint on what the message is about makes the insert the lock, so two beats, a rerun or a
re-delivered task cannot both send. If the row exists:

- sent, skipped or failed: settled, nothing to do;
- retrying (a temporary SMTP failure is waiting for its retry): claimed again now, and the
  scheduled retry will find the row settled;
- sending, and its holder refreshed it less than WORKER_LOST_AFTER_SECONDS ago: another worker
  is on it (``community.leases``: the holder refreshes ``claimed_at`` while it works, however
  long that takes); the caller's "in progress" exception asks the task to look again once that
  time has passed;
- sending, not refreshed for longer: the worker that claimed it died (SIGKILL, lost machine)
  between the claim and marking the row sent, and its task came back (the outbox sends it again
  within a minute or two). It is claimed again and sent.
  The trade-off: if that worker died after the SMTP server accepted the message but before the
  row was marked sent (a window of one UPDATE), the message goes out twice. SMTP has no way to
  make delivery exactly-once; at most once per claim, every attempt counted in ``attempts``, and
  the same Message-ID on every attempt (receivers that deduplicate by Message-ID drop the copy)
  is the honest best. Skipping instead would lose every message whose worker died mid-send, a
  far more likely event.

Each re-claim is a compare-and-set on (status, attempts, claimed_at), so only one worker wins
it, and never against a heartbeat of the holder.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from . import leases

logger = logging.getLogger(__name__)


def _refresh_claims(model, pks, now) -> None:
    """Tell other workers that this one still sends the rows *pks* (the heartbeat)."""
    model.objects.filter(pk__in=pks, status=model.Status.SENDING).update(claimed_at=now)


def ledger_claim(model, *, lookup: dict, defaults: dict, now, in_progress):
    """Claim the *model* row of *lookup* for sending; None when it is settled already.

    *in_progress* is the exception (taking ``retry_in`` seconds) raised while a live worker
    holds the row. The claim is refreshed while the current task runs (``community.leases``).
    """
    status = model.Status
    try:
        with transaction.atomic():
            row = model.objects.create(**lookup, **defaults, claimed_at=now)
    except IntegrityError:
        row = model.objects.get(**lookup)
    else:
        leases.hold(_refresh_claims, model, row.pk)
        return row
    if row.status in {status.SENT, status.SKIPPED, status.FAILED}:
        return None
    stale_seconds = settings.WORKER_LOST_AFTER_SECONDS
    stale = datetime.timedelta(seconds=stale_seconds)
    if row.status == status.SENDING and row.claimed_at > now - stale:
        wait = (row.claimed_at + stale - now).total_seconds()
        raise in_progress(retry_in=max(1, int(wait) + 1))
    # Compare-and-set: a heartbeat of the holder that came late after all wins over the take-over.
    claimed = model.objects.filter(
        pk=row.pk, status=row.status, attempts=row.attempts, claimed_at=row.claimed_at
    ).update(status=status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        raise in_progress(retry_in=stale_seconds)
    if row.status == status.SENDING:
        logger.warning(
            "%s: re-claimed %s left in 'sending' by a lost worker", model.__name__, row.pk
        )
    leases.hold(_refresh_claims, model, row.pk)
    row.refresh_from_db()
    return row
