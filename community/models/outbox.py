"""Work that must not be lost when the broker or the mail server is down.

``OutboxTask``: a Celery task recorded in the transaction of the write that needs it and sent to
the broker once that transaction is committed (``community.outbox``). ``EmailDelivery``: the
ledger of one-off emails, one row per idempotency key, claimed before anything is sent
(``community.emails.deliver``).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxTask(models.Model):
    """A task waiting to be sent to the broker (pending), sent (sent), or finished (done).

    pending → sent → done. A sent task that has not finished by ``lease_until`` is sent again,
    up to OUTBOX_MAX_SENDS times, then marked failed. The lease says when to give up on it: for
    a task waiting in the queue, OUTBOX_RESEND_AFTER_SECONDS after it was sent (the broker lost
    it); for a task a worker runs, WORKER_LOST_AFTER_SECONDS after the worker's last heartbeat
    (the worker died); for a task waiting to be retried, that long after its retry is due.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the broker")
        SENT = "sent", _("Sent to the broker")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # The idempotency key: enqueueing the same key twice records (and runs) the task once.
    key = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Sent again once this has passed without the task finishing (see the class docstring).
    lease_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    sends = models.PositiveSmallIntegerField(default=0)
    failed_publishes = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox task")
        indexes = [models.Index(fields=["status", "lease_until"], name="outbox_task_due")]

    def __str__(self):
        return f"{self.task} [{self.key}]: {self.status}"

    @property
    def celery_id(self) -> str:
        """Return the Celery task id: the same for every send, so logs tie them together."""
        return f"outbox-{self.pk}"


class EmailDelivery(models.Model):
    """The ledger of one email (not digests: see ``DigestDelivery``), keyed by what it is about.

    sending → sent | skipped | failed, or sending → retrying → sending (temporary SMTP failure).
    Only the kind, the key and the outcome are kept: the message is rendered when it is sent.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [models.Index(fields=["status", "claimed_at"], name="email_delivery_status")]

    def __str__(self):
        return f"{self.kind} [{self.key}]: {self.status}"
