"""Reads of the forums: visibility, ordering and prefetching as chainable queryset methods.

Every listing is built from these methods so that what a member sees, counts and follows always
goes through the one access rule (``permissions.audience_q``), and no template runs a query.
"""

import functools
import operator

from django.db import models
from django.db.models import Prefetch
from django.dispatch import Signal

from .permissions import audience_q, can_see_hidden


def _related(queryset, name):
    """Return the model of *queryset*'s reverse relation *name* (no import: models import us)."""
    return queryset.model._meta.get_field(name).related_model


def _shown_q(user, *prefixes):
    """Return a filter that drops hidden threads/posts (at each prefix) unless *user* moderates."""
    if can_see_hidden(user):
        return models.Q()
    return models.Q(**{f"{prefix}is_hidden": False for prefix in prefixes})


class ForumQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the forums *user* may see."""
        return self.filter(audience_q(user))

    def with_last_activity(self):
        """Fetch each forum's most recently active thread and its last post with the forum."""
        return self.select_related("last_thread__last_post__author")

    def with_follow_level(self, user):
        """Annotate ``my_follow_level``: how *user* follows each forum (None: never set)."""
        return _with_follow_level(self, user, "forum")


def _with_follow_level(queryset, user, target):
    """Annotate ``my_follow_level``: *user*'s follow level of each *target* (forum or thread)."""
    Follow = _related(queryset, "follows")
    if not user.is_authenticated:
        return queryset.annotate(my_follow_level=models.Value(None, models.CharField()))
    follows = Follow.objects.filter(user=user, **{target: models.OuterRef("pk")})
    return queryset.annotate(my_follow_level=models.Subquery(follows.values("level")[:1]))


THREAD_SORTS = {
    "activity": ["-is_pinned", "-last_activity_at", "-pk"],
    "newest": ["-is_pinned", "-created_at", "-pk"],
    # Replies members can see: hidden posts must not lift a thread (or betray that they exist).
    "replies": [
        "-is_pinned",
        (models.F("post_count") - models.F("hidden_post_count")).desc(),
        "-last_activity_at",
        "-pk",
    ],
}


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the threads in forums *user* may see (hidden threads: moderators only)."""
        return self.filter(audience_q(user, "forum__"), _shown_q(user, ""))

    def shown_to(self, user):
        """Drop hidden threads unless *user* moderates (for threads of a forum already seen)."""
        return self.filter(_shown_q(user, ""))

    def published_to(self, user):
        """Return the threads *user* may see, never hidden ones, even for moderators (emails)."""
        return self.filter(audience_q(user, "forum__"), is_hidden=False)

    def sorted_by(self, key):
        """Order pinned threads first, then by *key* (see ``THREAD_SORTS``; default: activity)."""
        return self.order_by(*THREAD_SORTS.get(key, THREAD_SORTS["activity"]))

    def with_last_post(self):
        """Fetch the author and the last post (with its author) of each thread."""
        return self.select_related("author", "last_post__author")

    def with_tags(self):
        """Prefetch the tags of each thread into ``thread.tag_list``."""
        return self.prefetch_related(Prefetch("tags", to_attr="tag_list"))

    def with_read_state(self, user):
        """Annotate ``my_last_read``: the last post number *user* was shown (None: never opened).

        A subquery in the same query, not a prefetch: one query less on every listing.
        """
        ThreadRead = _related(self, "reads")
        if not user.is_authenticated:
            return self.annotate(my_last_read=models.Value(None, models.IntegerField()))
        reads = ThreadRead.objects.filter(user=user, thread=models.OuterRef("pk"))
        return self.annotate(my_last_read=models.Subquery(reads.values("last_read_number")[:1]))

    def with_member_state(self, user):
        """Annotate what a thread page shows of *user*'s own state: read marker, follow level."""
        return _with_follow_level(self.with_read_state(user), user, "thread")

    def for_listing(self, user):
        """Return what a thread list shows: visible threads, last posts, tags, read state."""
        return self.visible_to(user).with_last_post().with_tags().with_read_state(user)


class PostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the posts in threads *user* may see (deleted ones included, as placeholders).

        Hidden posts, and every post of a hidden thread, are seen by moderators only.
        """
        return self.filter(audience_q(user, "thread__forum__"), _shown_q(user, "", "thread__"))

    def shown_to(self, user):
        """Drop hidden posts unless *user* moderates (for posts of a thread already seen)."""
        return self.filter(_shown_q(user, ""))

    def published_to(self, user):
        """Return the posts *user* may see, never hidden ones, even for moderators (emails)."""
        return self.filter(
            audience_q(user, "thread__forum__"), is_hidden=False, thread__is_hidden=False
        )

    def for_page(self, user):
        """Fetch authors and profiles, and annotate ``has_reacted``: *user* marked it helpful.

        The reaction is an ``EXISTS`` in the posts' own query: a page of posts is one query.
        """
        Reaction = _related(self, "reactions")
        posts = self.select_related("author__profile").order_by("number")
        if not user.is_authenticated:
            return posts.annotate(has_reacted=models.Value(False))
        mine = Reaction.objects.filter(user=user, post=models.OuterRef("pk"))
        return posts.annotate(has_reacted=models.Exists(mine))

    def for_review(self):
        """Return the posts waiting for a moderator: open flags, or held or hidden pending review.

        Each post comes with its thread and forum, its author, ``open_flag_count`` and its open
        flags (with who flagged) in ``open_flags``; posts with the most flags come first.
        """
        Flag, HiddenReason = _related(self, "flags"), self.model.HiddenReason
        open_flags = Flag.objects.filter(resolved_at__isnull=True)
        return (
            self.filter(is_deleted=False)
            .filter(
                models.Q(
                    is_hidden=True, hidden_reason__in=[HiddenReason.HELD, HiddenReason.FLAGGED]
                )
                | models.Q(models.Exists(open_flags.filter(post=models.OuterRef("pk"))))
            )
            .annotate(
                open_flag_count=models.Count(
                    "flags", filter=models.Q(flags__resolved_at__isnull=True)
                )
            )
            .select_related("thread__forum", "author")
            .prefetch_related(
                Prefetch(
                    "flags",
                    queryset=open_flags.select_related("flagger").order_by("created_at"),
                    to_attr="open_flags",
                )
            )
            .order_by("-open_flag_count", "created_at", "pk")
        )


# Sent after a bulk UPDATE of notifications (marking read), which sends no post_save: cached
# unread counts listen (``caching.unread_notification_count``).
notifications_updated = Signal()


class NotificationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        updated = super().update(**kwargs)
        notifications_updated.send(sender=self.model)
        return updated

    def visible_to(self, user):
        """Return *user*'s own notifications that still stand for a post they may see.

        Decisions about the member's own posts stay visible even when the post is hidden.
        """
        NotificationEvent = _related(self, "events")
        if not user.is_authenticated:
            return self.none()
        shown_events = NotificationEvent.objects.filter(notification=models.OuterRef("pk"))
        about_posts = models.Q(models.Exists(shown_events.shown_to(user))) & _shown_q(
            user, "thread__"
        )
        return self.filter(
            audience_q(user, "thread__forum__"),
            about_posts | models.Q(kind="moderation"),
            recipient=user,
        )

    def unread(self):
        return self.filter(is_read=False)

    def for_listing(self, user):
        """Fetch the thread, and the events *user* may see (post, actor) into ``shown_events``."""
        NotificationEvent = _related(self, "events")
        events = NotificationEvent.objects.shown_to(user).select_related("post", "actor")
        return self.select_related("thread").prefetch_related(
            Prefetch("events", queryset=events, to_attr="shown_events")
        )


class NotificationEventQuerySet(models.QuerySet):
    def shown_to(self, user):
        """Keep the events whose post *user* is shown: not deleted, hidden ones for moderators.

        The audience is the notification's (one thread): ``NotificationQuerySet.visible_to``.
        """
        return self.filter(_shown_q(user, "post__", "post__thread__"), post__is_deleted=False)

    def published(self):
        """Keep the events whose post anyone who may see the thread sees (what emails tell)."""
        return self.filter(
            post__is_deleted=False, post__is_hidden=False, post__thread__is_hidden=False
        )


# What carries tags: each app registers its tagged objects when it is ready (threads here, case
# studies in the knowledge base), so one tag rule covers them all without this app importing them.
TAG_CARRIERS: dict[str, tuple] = {}


def tag_carrier_register(key: str, *, through, visible_to) -> None:
    """Register *through* (a taggit through model) as carrying tags; *visible_to(user)* its rule."""
    TAG_CARRIERS[key] = (through, visible_to)


def tags_carried_by(**objects):
    """Return the tags that at least one of the given querysets (keyed as registered) carries.

    ``tags_carried_by(threads=..., case_studies=...)``.
    """
    from taggit.models import Tag

    carried = [
        models.Exists(
            TAG_CARRIERS[key][0].objects.filter(
                tag=models.OuterRef("pk"), content_object__in=queryset.values("pk")
            )
        )
        for key, queryset in objects.items()
    ]
    return Tag.objects.filter(functools.reduce(operator.or_, map(models.Q, carried)))


def visible_tags(user):
    """Return the tags on anything *user* may see (a thread, a case study).

    For *user*, any other tag does not exist: its name alone would tell of restricted content,
    so filters, follows, tag pages and digests treat it exactly like a tag nobody ever used.
    """
    return tags_carried_by(
        **{key: visible_to(user) for key, (_through, visible_to) in TAG_CARRIERS.items()}
    )
