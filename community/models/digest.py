"""The personal email digest: what a member asked for and the ledger of what was sent."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forums import FollowLevel
from .people import User

# The personal email digest (the ``digest`` app): what a member asked for, and a ledger that
# makes every run safe to repeat. Following forums and tags reuses ``Follow``; case-study themes
# and classifications have their own rows below.


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily")
    OFF = "off", _("Off")


class DigestSubscriptionManager(models.Manager):
    def set_frequency(self, *, user, frequency: str) -> "DigestSubscription":
        """Set how often *user* gets the digest (sign-up and the digest settings both write it)."""
        subscription, _created = self.update_or_create(
            user=user, defaults={"frequency": frequency, "updated_at": timezone.now()}
        )
        return subscription


class DigestSubscription(models.Model):
    """How often a member wants the digest; no row means no digest (no consent given)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="digest_subscription")
    frequency = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    # Set when the member was told that digests stop while they stay away; cleared on return.
    absence_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DigestSubscriptionManager()

    class Meta:
        verbose_name = _("digest subscription")
        indexes = [models.Index(fields=["frequency"], name="digest_subscription_frequency")]

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class DigestTopic(models.Model):
    """A case-study theme or classification a member follows (listed first) or mutes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_topics")
    theme = models.ForeignKey(
        "knowledgebase.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # One of ``knowledgebase.models.Classification`` (not imported: knowledgebase imports us).
    classification = models.CharField(max_length=8, blank=True)
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("digest topic")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(theme__isnull=False, classification="")
                    | (models.Q(theme__isnull=True) & ~models.Q(classification=""))
                ),
                name="digest_topic_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "theme"],
                condition=models.Q(theme__isnull=False),
                name="digest_topic_theme_once",
            ),
            models.UniqueConstraint(
                fields=["user", "classification"],
                condition=~models.Q(classification=""),
                name="digest_topic_classification_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.level} {self.theme or self.classification}"


class DigestRun(models.Model):
    """One start of a digest run (beat, rerun or manual): how many were sent, skipped, failed."""

    kind = models.CharField(max_length=8, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("digest run")

    def __str__(self):
        return f"{self.get_kind_display()} digest {self.period_start:%Y-%m-%d} ({self.started_at})"


class DigestDelivery(models.Model):
    """The ledger: one row per member, digest kind and period, claimed before anything is sent.

    sending → sent | skipped | failed, or sending → retrying → sending (temporary SMTP failure).
    See ``digest.delivery.deliver`` for how a row stuck in "sending" after a crash is handled.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_deliveries")
    kind = models.CharField(max_length=8, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    reason = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    run = models.ForeignKey(
        DigestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period_start"], name="digest_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="digest_delivery_status")]

    def __str__(self):
        return f"{self.user} {self.kind} {self.period_start:%Y-%m-%d}: {self.status}"
