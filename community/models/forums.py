"""Forums, threads, posts and what members do with them: reactions, follows, notifications."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from ..permissions import Audience
from ..querysets import (
    ForumQuerySet,
    NotificationEventQuerySet,
    NotificationQuerySet,
    PostQuerySet,
    ThreadQuerySet,
)
from .audience import AudienceMixin
from .fields import SearchVectorField
from .people import User

# Threads and posts carry denormalised counters (post_count, helpful_count, ...) that only the
# service functions in ``community.services`` change, with F() expressions inside a transaction.


class Forum(AudienceMixin):
    """A place for one kind of conversation, open to one audience."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    section = models.CharField(
        _("section heading"),
        max_length=120,
        blank=True,
        help_text=_("Forums with the same heading are grouped together on the forum index."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first.")
    )
    # Forums are for members unless an administrator opens one to everyone.
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.MEMBERS
    )
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_thread = models.ForeignKey(
        "Thread", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ForumQuerySet.as_manager()

    class Meta(AudienceMixin.Meta):
        ordering = ["position", "name"]
        verbose_name = _("forum")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:forum_detail", args=[self.slug])


class TaggedThread(TaggedItemBase):
    content_object = models.ForeignKey(
        "Thread", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Thread(models.Model):
    """A conversation in a forum: a title and a numbered sequence of posts."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=False)
    tags = TaggableManager(_("tags"), through=TaggedThread, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    # Members who have opened the thread at least once (counted when their read marker is made).
    view_count = models.PositiveIntegerField(default=0, editable=False)
    # Posts hidden from members by moderation; post_count still numbers them (shown: the rest).
    hidden_post_count = models.PositiveIntegerField(default=0, editable=False)
    # The opening post is hidden (held for review or hidden by moderation): so is the thread.
    is_hidden = models.BooleanField(_("hidden"), default=False, editable=False)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    case_study = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("case study"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion_threads",
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        indexes = [
            models.Index(
                fields=["forum", "-is_pinned", "-last_activity_at"], name="thread_forum_activity"
            ),
            models.Index(fields=["-last_activity_at"], name="thread_activity"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="thread_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:thread_detail", args=[self.pk, self.slug or "-"])

    @property
    def shown_post_count(self):
        """Return how many posts members see: hidden posts are neither shown nor counted."""
        return self.post_count - self.hidden_post_count


class HiddenReason(models.TextChoices):
    """Why a post is hidden from everyone but moderators (HELD and FLAGGED wait for review)."""

    HELD = "held", _("Held for review: it matched a watched word")
    FLAGGED = "flagged", _("Hidden pending review: flagged by members")
    MODERATOR = "moderator", _("Hidden by a moderator")
    # Not a moderation decision: the case study a discussion is about is not published, or no
    # forum has its audience (``knowledgebase.services.case_study_discussion_sync``).
    WITHDRAWN = "withdrawn", _("Withdrawn with the case study it discusses")


class Post(models.Model):
    """One message in a thread, numbered from 1; deleted posts keep their number and place."""

    HiddenReason = HiddenReason

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    number = models.PositiveIntegerField(_("number in thread"))
    body_markdown = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("last edited"), null=True, blank=True, editable=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    # The body as PostgreSQL full text, set by the services (``search.post_vector_update``);
    # stays empty on SQLite, where search falls back to substring matching.
    search_vector = SearchVectorField(null=True, editable=False)
    # Hidden posts are seen by moderators only, on every surface (see ``PostQuerySet.visible_to``).
    is_hidden = models.BooleanField(_("hidden"), default=False, editable=False)
    hidden_reason = models.CharField(
        _("why hidden"), max_length=16, choices=HiddenReason.choices, blank=True, editable=False
    )
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "number"]
        verbose_name = _("post")
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="post_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="post_number_positive"),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False) | models.Q(deleted_at__isnull=False),
                name="post_deleted_has_time",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(is_hidden=False, hidden_reason="")
                    | (models.Q(is_hidden=True) & ~models.Q(hidden_reason=""))
                ),
                name="post_hidden_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["hidden_reason"],
                condition=models.Q(is_hidden=True),
                name="post_hidden",
            ),
            # Search walks posts newest first and stops early (``search.ranking.Branch``).
            models.Index(fields=["-created_at"], name="post_created"),
        ]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        return reverse("community:post_permalink", args=[self.pk])


class PostRevision(models.Model):
    """The text a post had before one edit (and its thread's title, if it changed): who, when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body_markdown = models.TextField()
    # The thread's title before the edit, when the edit changed it (opening posts only).
    title = models.CharField(max_length=200, blank=True)
    # Text a moderator removed, or that members never saw: moderators only (``can_see_hidden``).
    is_hidden = models.BooleanField(default=False)
    # The moderator decision that made the edit: the history tells members its rule and reason.
    moderation_action = models.ForeignKey(
        "ModerationAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.post} before {self.created_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_once"),
        ]

    def __str__(self):
        return f"{self.user} finds {self.post} {self.kind}"


class FollowLevel(models.TextChoices):
    WATCHING = "watching", _("Watching")
    NORMAL = "normal", _("Normal")
    MUTED = "muted", _("Muted")


class Follow(models.Model):
    """How closely a member follows one thread, forum or tag (exactly one of them)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(thread__isnull=False, forum__isnull=True, tag__isnull=True)
                    | models.Q(thread__isnull=True, forum__isnull=False, tag__isnull=True)
                    | models.Q(thread__isnull=True, forum__isnull=True, tag__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=models.Q(thread__isnull=False),
                name="follow_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "forum"],
                condition=models.Q(forum__isnull=False),
                name="follow_forum_once",
            ),
            models.UniqueConstraint(
                fields=["user", "tag"],
                condition=models.Q(tag__isnull=False),
                name="follow_tag_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.level} {self.thread or self.forum or self.tag}"


class Notification(models.Model):
    """What happened in a thread for one member, grouped: one unread entry per thread and kind.

    The posts an entry stands for, and who wrote each, are its ``events``: what a member is shown
    (who is named, where the entry leads, how many) is built from the events they may still see.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NEW_THREAD = "new_thread", _("New thread")
        MENTION = "mention", _("Mention")
        QUOTE = "quote", _("Quote")
        MODERATION = "moderation", _("Moderation decision")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    # The newest post the entry stands for, and who brought it (for a moderation decision: the
    # decided post and the moderator). Pages name and link from the events, never from these two.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What a moderator decided about the recipient's post (kind MODERATION only).
    moderation_action = models.ForeignKey(
        "ModerationAction", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # How many events the entry stands for (members are told how many they may see).
    count = models.PositiveIntegerField(default=1)
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "is_read", "-updated_at"], name="notification_inbox"),
        ]
        constraints = [
            # The idempotency key: events for one thread and kind join the unread entry.
            # Each moderation decision is an entry of its own.
            models.UniqueConstraint(
                fields=["recipient", "thread", "kind"],
                condition=models.Q(is_read=False) & ~models.Q(kind="moderation"),
                name="notification_one_unread_per_thread_kind",
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="notification_count"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient} in {self.thread}"


class NotificationEvent(models.Model):
    """One post a grouped notification stands for, and who brought it (its author or editor)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = NotificationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # A post published again (released, hidden, released) is still one event.
            models.UniqueConstraint(
                fields=["notification", "post"], name="notification_event_once"
            ),
        ]

    def __str__(self):
        return f"post {self.post_id} in {self.notification}"


class ThreadRead(models.Model):
    """How far one member has read one thread: the number of the last post they were shown."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="thread_reads")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="thread_read_once"),
        ]

    def __str__(self):
        return f"{self.user} read {self.thread} to #{self.last_read_number}"
