"""Claim-before-send ledgers: the digest (``DigestDelivery``) and other emails (``EmailDelivery``).

A message's ledger row is inserted, status "sending", before anything is sent; a unique
constraint on what the message is about makes the insert the lock, so two beats, a rerun or a
re-delivered task cannot both send. If the row exists:

- sent, skipped or failed: settled, nothing to do;
- retrying (a temporary SMTP failure is waiting for its retry): claimed again now, and the
  scheduled retry will find the row settled;
- sending, claimed less than the stale time ago: another worker is on it; the caller's
  "in progress" exception asks the task to look again once that time has passed;
- sending for longer: the worker that claimed it died (SIGKILL, lost machine) between the claim
  and marking the row sent, and its task came back (acks_late). It is claimed again and sent.
  The trade-off: if that worker died after the SMTP server accepted the message but before the
  row was marked sent (a window of one UPDATE), the message goes out twice. SMTP has no way to
  make delivery exactly-once; at most once per claim, every attempt counted in ``attempts``, and
  the same Message-ID on every attempt (receivers that deduplicate by Message-ID drop the copy)
  is the honest best. Skipping instead would lose every message whose worker died mid-send, a
  far more likely event.

Each re-claim is a compare-and-set on (status, attempts), so only one worker wins it.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import F

logger = logging.getLogger(__name__)


def ledger_claim(model, *, lookup: dict, defaults: dict, now, stale_seconds: int, in_progress):
    """Claim the *model* row of *lookup* for sending; None when it is settled already.

    *in_progress* is the exception (taking ``retry_in`` seconds) raised while a live worker
    holds the row.
    """
    status = model.Status
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults, claimed_at=now)
    except IntegrityError:
        pass
    row = model.objects.get(**lookup)
    if row.status in {status.SENT, status.SKIPPED, status.FAILED}:
        return None
    stale = datetime.timedelta(seconds=stale_seconds)
    if row.status == status.SENDING and row.claimed_at > now - stale:
        wait = (row.claimed_at + stale - now).total_seconds()
        raise in_progress(retry_in=max(1, int(wait) + 1))
    claimed = model.objects.filter(pk=row.pk, status=row.status, attempts=row.attempts).update(
        status=status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        raise in_progress(retry_in=stale_seconds)
    if row.status == status.SENDING:
        logger.warning(
            "%s: re-claimed %s left in 'sending' by a lost worker", model.__name__, row.pk
        )
    row.refresh_from_db()
    return row
