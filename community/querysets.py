"""Reads of the forums: visibility, ordering and prefetching as chainable queryset methods.

Every listing is built from these methods so that what a member sees, counts and follows always
goes through the one access rule (``permissions.audience_q``), and no template runs a query.
"""

from django.db import models
from django.db.models import Prefetch


def _audience_q(user, prefix=""):
    # permissions imports the models, which import this module: import on use.
    from .permissions import audience_q

    return audience_q(user, prefix)


class ForumQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the forums *user* may see."""
        return self.filter(_audience_q(user))

    def with_last_activity(self):
        """Fetch each forum's most recently active thread and its last post with the forum."""
        return self.select_related("last_thread__last_post__author")


THREAD_SORTS = {
    "activity": ["-is_pinned", "-last_activity_at", "-pk"],
    "newest": ["-is_pinned", "-created_at", "-pk"],
    "replies": ["-is_pinned", "-post_count", "-last_activity_at", "-pk"],
}


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the threads in forums *user* may see."""
        return self.filter(_audience_q(user, "forum__"))

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
        """Prefetch *user*'s read marker into ``thread.read_markers`` (empty for visitors)."""
        from .models import ThreadRead

        if not user.is_authenticated:
            return self
        return self.prefetch_related(
            Prefetch("reads", queryset=ThreadRead.objects.filter(user=user), to_attr="read_markers")
        )

    def for_listing(self, user):
        """Return what a thread list shows: visible threads, last posts, tags, read state."""
        return self.visible_to(user).with_last_post().with_tags().with_read_state(user)


class PostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the posts in threads *user* may see (deleted ones included, as placeholders)."""
        return self.filter(_audience_q(user, "thread__forum__"))

    def for_page(self, user):
        """Fetch authors and profiles, and prefetch *user*'s own reactions into ``my_reactions``."""
        from .models import Reaction

        posts = self.select_related("author__profile").order_by("number")
        if not user.is_authenticated:
            return posts
        return posts.prefetch_related(
            Prefetch(
                "reactions", queryset=Reaction.objects.filter(user=user), to_attr="my_reactions"
            )
        )


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return *user*'s own notifications about threads they may still see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_audience_q(user, "thread__forum__"), recipient=user)

    def unread(self):
        return self.filter(is_read=False)

    def for_listing(self):
        """Fetch the thread, the post it leads to and who acted, with each notification."""
        return self.select_related("thread", "post", "actor")
