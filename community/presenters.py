"""What forum pages show beside the objects themselves: read state, follow level, edit diffs."""

import difflib

from django.utils.translation import gettext_lazy as _

from .models import Follow, FollowLevel, ThreadRead

SORT_LABELS = [
    ("activity", _("Latest activity")),
    ("newest", _("Newest")),
    ("replies", _("Most replies")),
]


def read_marker(thread, user):
    """Return *user*'s read marker in *thread*, or None (visitors, or never opened)."""
    if not user.is_authenticated:
        return None
    return ThreadRead.objects.filter(user=user, thread=thread).first()


def with_unread_counts(threads, user):
    """Set ``is_new`` and ``unread_count`` on threads fetched ``with_read_state(user)``."""
    for thread in threads:
        markers = getattr(thread, "read_markers", None)
        thread.is_new = user.is_authenticated and not markers
        thread.unread_count = thread.post_count - markers[0].last_read_number if markers else 0
    return threads


def follow_level(user, **target):
    """Return how closely *user* follows the thread, forum or tag in *target*."""
    if not user.is_authenticated:
        return None
    level = Follow.objects.filter(user=user, **target).values_list("level", flat=True).first()
    return level or FollowLevel.NORMAL


def revision_changes(post, revisions):
    """Return each edit of *post*, newest first: who, when, and the changed lines."""
    changes, newer_text = [], post.body_markdown
    for revision in revisions:
        diff = difflib.ndiff(
            revision.body_markdown.splitlines(), newer_text.splitlines(), charjunk=None
        )
        lines = [(line[0], line[2:]) for line in diff if line[0] in "+- "]
        changes.append({"revision": revision, "lines": lines})
        newer_text = revision.body_markdown
    return changes


def with_neighbours(posts):
    """Set ``before`` and ``after`` on each post: the shown posts around it (one query)."""
    from django.db.models import Q

    from .models import Post

    wanted = Q()
    for post in posts:
        wanted |= Q(thread=post.thread_id, number__in=[post.number - 1, post.number + 1])
    found = {}
    if posts:
        for neighbour in Post.objects.filter(wanted).select_related("author"):
            found[(neighbour.thread_id, neighbour.number)] = neighbour
    for post in posts:
        post.before = found.get((post.thread_id, post.number - 1))
        post.after = found.get((post.thread_id, post.number + 1))
    return posts
