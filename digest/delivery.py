"""Deliver digests exactly once: runs, the claim-before-send ledger, retries, the messages."""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import (
    F,
    Q,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community import emails
from community.emails import is_temporary
from community.ledger import ledger_claim
from community.models import (
    DigestDelivery,
    DigestFrequency,
    DigestRun,
    DigestSubscription,
    User,
)

from .content import Digest, build
from .periods import next_period_for, period_for

logger = logging.getLogger(__name__)

Status = DigestDelivery.Status
FINAL_STATUSES = {Status.SENT, Status.SKIPPED, Status.FAILED}


class DigestTemporaryFailure(Exception):
    """The SMTP server could not take the digest now (4xx, connection refused): try later."""


class DigestInProgress(Exception):
    """Another worker claimed this delivery a moment ago; ask again in ``retry_in`` seconds."""

    def __init__(self, retry_in: int):
        super().__init__(retry_in)
        self.retry_in = retry_in


def is_absent(user: User, now=None) -> bool:
    """Return whether *user* has not signed in for DIGEST_ABSENCE_DAYS (never: since joining)."""
    now = now or timezone.now()
    last_seen = user.last_login or user.date_joined
    return last_seen < now - datetime.timedelta(days=settings.DIGEST_ABSENCE_DAYS)


def subscriber_ids(kind: str, now=None):
    """Return the ids of active members who want the *kind* digest, absent ones told once."""
    now = now or timezone.now()
    absent_since = now - datetime.timedelta(days=settings.DIGEST_ABSENCE_DAYS)
    told_and_still_absent = Q(digest_subscription__absence_notified_at__isnull=False) & (
        Q(last_login__lt=absent_since) | Q(last_login__isnull=True, date_joined__lt=absent_since)
    )
    return (
        User.objects.filter(is_active=True, digest_subscription__frequency=kind)
        .exclude(told_and_still_absent)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def run_start(*, kind: str, now=None, enqueue) -> DigestRun:
    """Record a run for the last complete *kind* period and hand its members to *enqueue* in
    chunks (``enqueue(user_ids, kind, period_start_iso, run_id)``).

    Starting the same period twice (a rerun, two beats) is safe: the ledger sends nothing twice.
    """
    now = now or timezone.now()
    period_start, period_end = period_for(kind, now)
    # All or nothing: a worker that dies half-way leaves no run that lacks members, so the check
    # for missed starts (send_missed_digests) starts the whole run again within minutes.
    with transaction.atomic():
        run = DigestRun.objects.create(kind=kind, period_start=period_start, period_end=period_end)
        # Chunks by primary key, each a query of its own: no cursor stays open while the chunks
        # are queued (they are sent to the broker once the run is committed).
        members, last, total = subscriber_ids(kind, now), 0, 0
        while chunk := list(members.filter(pk__gt=last)[: settings.DIGEST_CHUNK_SIZE]):
            enqueue(chunk, kind, period_start.isoformat(), run.pk)
            total, last = total + len(chunk), chunk[-1]
        DigestRun.objects.filter(pk=run.pk).update(member_count=total)
    run.member_count = total
    logger.info("digest: %s run %s for %s: %d members", kind, run.pk, period_start, total)
    return run


def _count(run_id, outcome: str) -> None:
    column = {"sent": "sent", "failed": "failed"}.get(outcome, "skipped")
    if run_id:
        DigestRun.objects.filter(pk=run_id).update(**{column: F(column) + 1})


def _claim(*, user, kind, period_start, run_id, now) -> DigestDelivery | None:
    """Claim the member's ledger row for the period (``community.ledger``); None when settled."""
    return ledger_claim(
        DigestDelivery,
        lookup={"user": user, "kind": kind, "period_start": period_start},
        defaults={"run_id": run_id},
        now=now,
        in_progress=DigestInProgress,
    )


def _settle(row: DigestDelivery, status: str, *, reason: str = "", error: str = "") -> None:
    fields = {"status": status, "reason": reason, "error": error[:2000]}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    DigestDelivery.objects.filter(pk=row.pk).update(**fields)


def retry_countdown(retries: int) -> int:
    """Return the seconds to wait before retry number *retries* + 1: 1, 2, 4, 8... minutes."""
    return settings.DIGEST_RETRY_BASE_SECONDS * 2**retries


def _ineligible(user: User, subscription, kind: str, now) -> str:
    """Return why *user* gets no digest now ("" if they do)."""
    if not user.is_active:
        return "inactive"
    if subscription is None or subscription.frequency != kind:
        return "unsubscribed"
    if not user.email:
        return "no_email"
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return "unverified_email"
    return ""


def _absence_handle(user: User, subscription, now) -> bool:
    """Tell an absent member once that digests stop; clear the mark of one who came back."""
    if not is_absent(user, now):
        if subscription.absence_notified_at:
            DigestSubscription.objects.filter(pk=subscription.pk).update(absence_notified_at=None)
        return False
    told = DigestSubscription.objects.filter(
        pk=subscription.pk, absence_notified_at__isnull=True
    ).update(absence_notified_at=now)
    if told:
        try:
            mailers.default.send_messages([digest_absence_message(user=user)])
        except Exception:
            logger.exception("digest: could not tell absent member %s that digests stop", user.pk)
    return True


def deliver(
    *,
    user_id: int,
    kind: str,
    period_start: datetime.datetime,
    run_id: int | None = None,
    final_attempt: bool = False,
    mailer=None,
) -> str:
    """Send *user_id*'s digest for the period at most once; return the outcome.

    Outcomes: "sent"; "failed" (refused for good, recorded); "already" (settled before);
    "missing" (member deleted since the fan-out) and the skip reasons "inactive",
    "unsubscribed", "no_email", "absent", "empty". Raises DigestTemporaryFailure (retry later)
    and DigestInProgress (another worker holds the claim).
    """
    now = timezone.now()
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        logger.warning("digest: member %s no longer exists, nothing sent", user_id)
        _count(run_id, "skipped")
        return "missing"
    row = _claim(user=user, kind=kind, period_start=period_start, run_id=run_id, now=now)
    if row is None:
        # Counted once per run: a task of this run that ran twice (its worker died, the task was
        # sent again and later handed out by the broker too) counted it the first time.
        settled = DigestDelivery.objects.filter(user=user, kind=kind, period_start=period_start)
        if run_id and not settled.filter(run_id=run_id).exists():
            _count(run_id, "skipped")
        return "already"
    digest, reason = _digest_or_reason(user, kind, period_start, now)
    if reason:
        _settle(row, Status.SKIPPED, reason=reason)
        _count(run_id, "skipped")
        return reason
    return _send(row, digest, run_id=run_id, final_attempt=final_attempt, mailer=mailer)


def _digest_or_reason(user: User, kind: str, period_start, now) -> tuple[Digest | None, str]:
    """Return (the digest, "") for *user*, or (None, why they get none now)."""
    subscription = DigestSubscription.objects.filter(user=user).first()
    reason = _ineligible(user, subscription, kind, now)
    if not reason and _absence_handle(user, subscription, now):
        reason = "absent"
    if reason == "no_email":
        logger.warning("digest: member %s has no email address", user.pk)
    if reason:
        return None, reason
    period_end = _period_end(kind, period_start)
    digest = build(user=user, kind=kind, period_start=period_start, period_end=period_end)
    return (None, "empty") if digest.is_empty else (digest, "")


def _send(row: DigestDelivery, digest: Digest, *, run_id, final_attempt: bool, mailer) -> str:
    """Send *digest*, claimed as *row*; settle the row and count the outcome in the run."""
    try:
        message = digest_message(digest=digest, message_id=_message_id(row))
        (mailer or mailers.default).send_messages([message])
    except Exception as error:
        if is_temporary(error) and not final_attempt:
            logger.warning("digest: temporary failure for member %s: %s", row.user_id, error)
            _settle(row, Status.RETRYING, error=repr(error))
            raise DigestTemporaryFailure(repr(error)) from error
        logger.error("digest: delivery to member %s failed for good: %r", row.user_id, error)
        _settle(row, Status.FAILED, reason="refused", error=repr(error))
        _count(run_id, "failed")
        return "failed"
    _settle(row, Status.SENT)
    _count(run_id, "sent")
    return "sent"


def _period_end(kind: str, period_start: datetime.datetime) -> datetime.datetime:
    local = period_start.astimezone(zoneinfo.ZoneInfo(settings.CELERY_TIMEZONE))
    return local + datetime.timedelta(days=7 if kind == DigestFrequency.WEEKLY else 1)


def _message_id(row: DigestDelivery) -> str:
    """Return the same Message-ID for every attempt at one delivery."""
    from urllib.parse import urlsplit

    host = urlsplit(settings.SITE_URL).hostname or "medi4sec.local"
    return f"<digest-{row.kind}-{row.period_start:%Y%m%d%H%M}-{row.user_id}@{host}>"


def preview(*, user: User, kind: str = DigestFrequency.WEEKLY, now=None) -> Digest:
    """Return the digest *user* would get for the last complete period (nothing is recorded)."""
    period_start, period_end = period_for(kind, now)
    return build(user=user, kind=kind, period_start=period_start, period_end=period_end)


def preview_next(*, user: User, kind: str, now=None) -> Digest:
    """Return *user*'s next digest as it stands at *now*: the period under way, built as it will
    be sent, from what *user* may see (nothing is recorded)."""
    period_start, period_end = next_period_for(kind, now)
    return build(user=user, kind=kind, period_start=period_start, period_end=period_end)


# The messages: rendered by ``community.emails`` with CSS inlined, sent by ``deliver`` above, which
# needs the SMTP errors to decide between retrying and recording a failure.


def digest_message(*, digest: Digest, message_id: str) -> EmailMultiAlternatives:
    """Return the multipart digest email, with one-click unsubscribe headers (RFC 8058)."""
    return emails.build(
        template="digest",
        to=digest.user.email,
        subject=digest.subject,
        context={"digest": digest, "member": digest.user},
        headers={
            "List-Unsubscribe": f"<{digest.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Message-ID": message_id,
        },
        inline_css=True,
    )


def digest_absence_message(*, user: User) -> EmailMultiAlternatives:
    """Return the one email that tells an absent member their digest stops until they return."""
    return emails.build(
        template="digest_paused",
        to=user.email,
        subject=_("Your digest is paused"),
        context={
            "member": user,
            "days": settings.DIGEST_ABSENCE_DAYS,
            "login_url": emails.absolute_url(reverse("account_login")),
        },
        headers={"Auto-Submitted": "auto-generated"},
        inline_css=True,
    )
