"""Emails of the community half: each renders templates/emails/<name>.txt and .html.

One-off emails go through the outbox and a ledger, so none is lost while Redis or the SMTP
server is down, and none is sent twice. A service queues one in its transaction::

    emails.queue("verification_decision", decision_id=decision.pk)

and a builder registered with ``@builder("verification_decision")`` renders it when the
``send_email`` task runs: it reads the rows again by id (an email never tells about something
that was rolled back or changed since) and returns the message, or None when there is nothing
to tell any more. ``deliver`` claims the ledger row (``EmailDelivery``) before sending and
records the outcome; temporary SMTP failures are retried with backoff by the task.
"""

import hashlib
import logging
import smtplib
from collections.abc import Callable
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .ledger import ledger_claim

logger = logging.getLogger(__name__)

BUILDERS: dict[str, Callable[..., EmailMultiAlternatives | None]] = {}


def builder(kind: str):
    """Register the decorated function as the builder of *kind* emails."""

    def register(function):
        BUILDERS[kind] = function
        return function

    return register


def queue(kind: str, *, key: str = "", **params):
    """Queue the *kind* email built from *params* (JSON: ids, strings) once for *key*.

    *key* names the event the email is about; by default it is made of *kind* and *params*, so
    the same email about the same rows is sent once. Call it inside the transaction of the
    write: the email is queued if, and only if, the write is committed.
    """
    from . import outbox
    from .tasks import send_email

    if kind not in BUILDERS:
        raise ValueError(f"No email builder for {kind!r}.")
    key = key or ",".join([kind, *(f"{name}={params[name]}" for name in sorted(params))])
    # The builder's module travels with the task: the worker imports it if nothing else did.
    module = BUILDERS[kind].__module__
    return outbox.enqueue(send_email, kind, key, params, module, key=f"email:{key}")


def absolute_url(path: str) -> str:
    """Return *path* on the portal as a full URL for an email."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def build(
    *,
    template: str,
    to: str,
    subject: str,
    context: dict,
    headers: dict | None = None,
    inline_css: bool = False,
) -> EmailMultiAlternatives:
    """Return a multipart email rendered from ``emails/<template>.txt`` and ``.html``.

    *inline_css* moves the HTML part's <style> rules onto its elements (``_inline_css``).
    """
    context = {"site_url": settings.SITE_URL, **context}
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        from_email=_sender(),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
        headers=headers,
    )
    html = render_to_string(f"emails/{template}.html", context)
    message.attach_alternative(_inline_css(html) if inline_css else html, "text/html")
    return message


def send(*, template: str, to: str, subject: str, context: dict) -> None:
    """Send an email at once, without ledger or retries: prefer ``queue``."""
    build(template=template, to=to, subject=subject, context=context).send()


@builder("verification_confirm")
def verification_confirmation(*, request_id: int):
    """Build the link that confirms the official address of a verification request."""
    from .models import VerificationRequest
    from .services import verification_confirm_token

    request = (
        VerificationRequest.objects.select_related("user")
        .filter(pk=request_id, status=VerificationRequest.Status.UNCONFIRMED)
        .first()
    )
    if request is None:
        return None  # confirmed (or withdrawn) in the meantime
    token = verification_confirm_token(request=request)
    return build(
        template="verification_confirm",
        to=request.official_email,
        subject=_("Confirm your official email address"),
        context={
            "request": request,
            "member": request.user,
            "confirm_url": absolute_url(reverse("community:verification_confirm", args=[token])),
            "valid_hours": settings.VERIFICATION_CONFIRM_MAX_AGE // 3600,
        },
    )


@builder("verification_decision")
def verification_decision(*, decision_id: int):
    """Tell the member what was decided about their practitioner status, and why."""
    from .models import VerificationDecision

    decision = VerificationDecision.objects.select_related("user").filter(pk=decision_id).first()
    if decision is None:
        return None
    return build(
        template="verification_decision",
        to=decision.user.email,
        subject=_("Your practitioner verification: %(action)s")
        % {"action": decision.get_action_display().lower()},
        context={
            "decision": decision,
            "member": decision.user,
            "settings_url": absolute_url(reverse("community:verification_settings")),
        },
    )


@builder("verification_reminder")
def verification_reminder(*, reminder_id: int):
    """Remind a member that their verification ends soon, with the renewal link."""
    from .models import Profile, VerificationReminder

    reminder = VerificationReminder.objects.select_related("user").filter(pk=reminder_id).first()
    if reminder is None or not reminder.user.is_active:
        return None
    current = Profile.objects.filter(user=reminder.user_id).values_list("verified_until", flat=True)
    if current.first() != reminder.verified_until:
        return None  # renewed or revoked since the reminder was due
    return build(
        template="verification_reminder",
        to=reminder.user.email,
        subject=_("Your practitioner verification ends in %(days)d days")
        % {"days": reminder.days_before},
        context={
            "member": reminder.user,
            "verified_until": reminder.verified_until,
            "days": reminder.days_before,
            "renew_url": absolute_url(f"{reverse('community:verification_settings')}?renew=1"),
        },
    )


@builder("group_decision")
def group_decision(*, user_id: int, group_id: int, approved: bool):
    """Tell a member whether they were let into a working group."""
    from .models import User, WorkingGroup

    user = User.objects.filter(pk=user_id, is_active=True).first()
    group = WorkingGroup.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return None
    return build(
        template="group_decision",
        to=user.email,
        subject=(_("You joined %(group)s") if approved else _("Your request to join %(group)s"))
        % {"group": group.name},
        context={
            "member": user,
            "group": group,
            "approved": approved,
            "group_url": absolute_url(reverse("community:group_detail", args=[group.slug])),
        },
    )


@builder("notification")
def notification(*, notification_id: int):
    """Tell a member about a new unread notification, unless they have read it since.

    Built when it is sent: it names everyone whose post the entry stands for by then, and only
    posts still published (a post hidden or deleted meanwhile is neither named nor linked).
    """
    from .models import Notification
    from .permissions import can_see
    from .presenters import notification_summary

    entry = (
        Notification.objects.select_related("recipient__profile", "thread__forum")
        .filter(pk=notification_id, is_read=False, recipient__is_active=True)
        .first()
    )
    if entry is None or entry.thread.is_hidden or not can_see(entry.recipient, entry.thread.forum):
        return None
    events = entry.events.published().select_related("post", "actor")
    summary = notification_summary(entry, events)
    if summary is None:
        return None  # every post it stood for was hidden or deleted before the email went out
    thread = entry.thread
    return build(
        template="notification",
        to=entry.recipient.email,
        subject=summary.text,
        context={
            "member": entry.recipient,
            "notification": entry,
            "summary": summary,
            "thread": thread,
            "post_url": absolute_url(summary.target.get_absolute_url()),
            "thread_url": absolute_url(thread.get_absolute_url()),
        },
    )


# Delivery: the ledger makes every send of one key happen at most once per claim.


class EmailTemporaryFailure(Exception):
    """The SMTP server could not take the email now (4xx, connection refused): try later."""


class EmailInProgress(Exception):
    """Another worker claimed this email a moment ago; ask again in ``retry_in`` seconds."""

    def __init__(self, retry_in: int):
        super().__init__(retry_in)
        self.retry_in = retry_in


def message_id(key: str) -> str:
    """Return the same Message-ID for every attempt at the email *key*."""
    host = urlsplit(settings.SITE_URL).hostname or "medi4sec.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{host}>"


def is_temporary(error: Exception) -> bool:
    """Return whether an SMTP error may go away by itself (4xx, connection problems)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return True  # the portal's credentials: staff fix them, the email waits
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # connection refused, reset, timed out


def retry_countdown(retries: int) -> int:
    """Return the seconds before retry *retries* + 1: doubling from EMAIL_RETRY_BASE_SECONDS."""
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2**retries, settings.EMAIL_RETRY_MAX_SECONDS)


def _claim(*, kind: str, key: str):
    """Claim the ledger row of *key* (``community.ledger``); None when it is settled already."""
    from .models import EmailDelivery

    return ledger_claim(
        EmailDelivery,
        lookup={"key": key},
        defaults={"kind": kind},
        now=timezone.now(),
        in_progress=EmailInProgress,
    )


def deliver(
    *, kind: str, key: str, params: dict, module: str = "", final_attempt: bool = False
) -> str:
    """Send the *kind* email for *key* at most once; return the outcome.

    Outcomes: "sent", "skipped" (nothing to tell any more), "failed" (refused for good),
    "already" (settled before). Raises EmailTemporaryFailure (retry later) and EmailInProgress.
    """
    from .models import EmailDelivery

    Status = EmailDelivery.Status
    if kind not in BUILDERS and module:
        import_module(module)  # registers the builder
    row = _claim(kind=kind, key=key)
    if row is None:
        return "already"

    def settle(status, error=""):
        fields = {"status": status, "error": error[:2000]}
        if status == Status.SENT:
            fields["sent_at"] = timezone.now()
        EmailDelivery.objects.filter(pk=row.pk).update(**fields)

    message = BUILDERS[kind](**params)
    if message is None or not message.to or not all(message.to):
        settle(Status.SKIPPED)
        return "skipped"
    message.extra_headers.setdefault("Message-ID", message_id(key))
    try:
        mailers.default.send_messages([message])
    except Exception as error:
        if is_temporary(error) and not final_attempt:
            logger.warning("email: temporary failure for %s %s: %r", kind, row.pk, error)
            settle(Status.RETRYING, repr(error))
            raise EmailTemporaryFailure(repr(error)) from error
        logger.error("email: %s %s failed for good: %r", kind, row.pk, error)
        settle(Status.FAILED, repr(error))
        return "failed"
    settle(Status.SENT)
    return "sent"


def _inline_css(html: str) -> str:
    """Move the <style> rules onto the elements: many mail clients drop <style> blocks."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return inliner.inline(html)


def _sender() -> str:
    """Return DEFAULT_FROM_EMAIL with its display name quoted: "MEDI@4SEC" needs quotes in SMTP."""
    from email.utils import formataddr

    name, bracket, address = settings.DEFAULT_FROM_EMAIL.rpartition("<")
    if not bracket:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((name.strip().strip('"'), address.rstrip(">").strip()))


@builder("moderation_decision")
def moderation_decision(*, action_id: int):
    """Build the email that tells a member what a moderator decided: which rule, why, appeal."""
    from .models import ModerationAction

    action = (
        ModerationAction.objects.select_related("member", "thread").filter(pk=action_id).first()
    )
    if action is None or action.member is None:
        return None  # the member left in the meantime
    return build(
        template="moderation_decision",
        to=action.member.email,
        subject=_("A moderation decision about your post"),
        context={
            "action": action,
            "member": action.member,
            "decision_url": absolute_url(action.get_absolute_url()),
        },
    )
