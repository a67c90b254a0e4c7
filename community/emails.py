"""Email infrastructure: render templates/emails/<name>.txt and .html, claim, send, sort errors.

One-off emails go through the outbox and a ledger, so none is lost while Redis or the SMTP
server is down, and none is sent twice. A service queues one in its transaction::

    emails.queue("verification_decision", decision_id=decision.pk)

and a builder registered with ``@emails.builder("verification_decision")`` beside the service
renders it when the
``send_email`` task runs: it reads the rows again by id (an email never tells about something
that was rolled back or changed since) and returns the message, or None when there is nothing
to tell any more. ``deliver`` claims the ledger row (``EmailDelivery``) before sending and
records the outcome; temporary SMTP failures are retried with backoff by the task.
"""

import hashlib
import logging
import smtplib
from collections.abc import Callable
from contextlib import suppress
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import timezone

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

    if kind not in BUILDERS:
        raise ValueError(f"No email builder for {kind!r}.")
    key = key or ",".join([kind, *(f"{name}={params[name]}" for name in sorted(params))])
    # The builder's module travels with the task: the worker imports it if nothing else did.
    module = BUILDERS[kind].__module__
    return outbox.enqueue(
        "community.tasks.send_email", kind, key, params, module, key=f"email:{key}"
    )


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
        # Every app registers its builders when it is ready; a module named by a row queued
        # before a builder moved is gone, and nothing is lost by not finding it.
        with suppress(ImportError):
            import_module(module)
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
