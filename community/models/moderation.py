"""Trust and safety: flags, moderator decisions (the audit log), appeals and watched words."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forums import Post, Thread
from .people import User


class Rule(models.TextChoices):
    """The rules of the code of conduct a flag names and a moderator decision applies."""

    SPAM = "spam", _("Spam or advertising")
    HARASSMENT = "harassment", _("Harassment or hate")
    OPERATIONAL = "operational", _("Sensitive operational information")
    PERSONAL_DATA = "personal_data", _("Personal data of someone")
    OTHER = "other", _("Other (explain in the note)")


class Flag(models.Model):
    """One member's report that a post breaks a rule; open until a moderator acts on the post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(User, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=16, choices=Rule.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "ModerationAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )

    class Meta:
        verbose_name = _("flag")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], name="flag_once_per_member"),
            models.CheckConstraint(
                condition=~models.Q(reason="other") | ~models.Q(note=""),
                name="flag_other_has_note",
            ),
        ]
        indexes = [
            models.Index(
                fields=["post"], condition=models.Q(resolved_at__isnull=True), name="flag_open"
            ),
        ]

    def __str__(self):
        return f"{self.flagger} flagged {self.post}: {self.reason}"


class ModerationAction(models.Model):
    """One moderation step, by a moderator or automatic: the audit log, never edited."""

    class Kind(models.TextChoices):
        DISMISS = "dismiss", _("Dismissed the flags (post shown)")
        HIDE = "hide", _("Hid the post")
        DELETE = "delete", _("Deleted the post")
        EDIT = "edit", _("Edited the post")
        LOCK = "lock", _("Locked the thread")
        WARN = "warn", _("Warned the member")
        SUSPEND = "suspend", _("Suspended the member")
        AUTO_HIDE = "auto_hide", _("Hid the post pending review (flags)")
        HOLD = "hold", _("Held the post for review (watched word)")
        APPEAL_UPHELD = "appeal_upheld", _("Upheld a decision on appeal")
        APPEAL_OVERTURNED = "appeal_overturned", _("Overturned a decision on appeal")

    # Decisions about the author's conduct: the author is told and may appeal once.
    APPEALABLE = {Kind.HIDE, Kind.DELETE, Kind.EDIT, Kind.LOCK, Kind.WARN, Kind.SUSPEND}

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    moderator = models.ForeignKey(
        User,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        help_text=_("Empty for automatic safeguards."),
    )
    member = models.ForeignKey(
        User,
        verbose_name=_("member concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_decisions",
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_actions"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices, blank=True)
    reason = models.TextField(_("reason"))
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # The appeal an APPEAL_* action decides.
    appeal = models.ForeignKey(
        "Appeal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation action")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="moderation_log")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="suspend") | models.Q(suspended_until__isnull=False),
                name="moderation_suspend_has_end",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("community:moderation_decision", args=[self.pk])

    @property
    def is_appealable(self) -> bool:
        return self.kind in self.APPEALABLE


class Appeal(models.Model):
    """A member's one request that another moderator look again at a decision about them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    action = models.OneToOneField(
        ModerationAction, on_delete=models.CASCADE, related_name="appeal_made"
    )
    appellant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField(_("why the decision should change"), max_length=4000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        ordering = ["created_at", "pk"]
        # Where no moderator but the one who decided exists (a small team), referees decide:
        # site administrators and whoever holds this (the Editors group, by a migration).
        permissions = [("decide_appeal", _("Can decide appeals no other moderator can decide"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="appeal_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"Appeal by {self.appellant} against {self.action}"


class WatchedWordQuerySet(models.QuerySet):
    def first_match(self, *texts: str):
        """Return the first active watched word found in *texts*, or None."""
        for word in self.filter(is_active=True):
            if any(word.matches(text) for text in texts):
                return word
        return None


class WatchedWord(models.Model):
    """A word or pattern that holds a new post for review before anyone sees it."""

    class Kind(models.TextChoices):
        WORD = "word", _("Whole word or phrase (any case)")
        REGEX = "regex", _("Regular expression (any case)")

    pattern = models.CharField(_("word or pattern"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WORD)
    note = models.CharField(
        _("why"),
        max_length=200,
        blank=True,
        help_text=_("For moderators, e.g. the live incident this word belongs to."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WatchedWordQuerySet.as_manager()

    class Meta:
        verbose_name = _("watched word")
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "kind"], name="watched_word_once"),
        ]

    def __str__(self):
        return self.pattern

    def regex(self) -> re.Pattern:
        """Return the compiled pattern: a whole word matches only between non-word characters."""
        if self.kind == self.Kind.WORD:
            words = r"\s+".join(re.escape(part) for part in self.pattern.split())
            return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)
        return re.compile(self.pattern, re.IGNORECASE)

    def matches(self, text: str) -> bool:
        try:
            return bool(self.regex().search(text))
        except re.error:
            return False  # validated on save; an old invalid row must not stop posting

    def clean(self):
        self.pattern = self.pattern.strip()
        if not self.pattern:
            raise ValidationError({"pattern": _("Enter a word or a pattern.")})
        try:
            compiled = self.regex()
        except re.error as error:
            raise ValidationError(
                {
                    "pattern": _("This is not a valid regular expression: %(error)s")
                    % {"error": error}
                }
            ) from None
        if compiled.search(""):
            raise ValidationError(
                {"pattern": _("This pattern matches empty text, so it would hold every post.")}
            )
