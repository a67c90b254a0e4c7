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


def linkable_mentions(viewer, htmls) -> frozenset[str]:
    """Return the usernames mentioned in stored *htmls* whose profile *viewer* may open.

    One query for a whole page, none when it mentions nobody.
    """
    from . import markdown
    from .models import Profile

    names = set().union(*(markdown.mentioned(html) for html in htmls))
    if not names:
        return frozenset()
    profiles = Profile.objects.visible_to(viewer).filter(user__username__in=names)
    return frozenset(profiles.values_list("user__username", flat=True))


def _diff(older: str, newer: str) -> list[tuple[str, str]]:
    diff = difflib.ndiff(older.splitlines(), newer.splitlines(), charjunk=None)
    return [(line[0], line[2:]) for line in diff if line[0] in "+- "]


def revision_changes(post, revisions, *, viewer):
    """Return each edit of *post*, newest first: who, when, why, and what it changed.

    A hidden revision (text removed by moderation, or never shown to members) keeps its text for
    moderators; everyone else, the author included, is told who edited it (a moderator) and,
    for a moderator's decision, the rule and the reason, and never sees its text or title.
    Each shown edit is compared with the next newer version *viewer* may see.
    """
    from .permissions import can_see_hidden

    moderator_view = can_see_hidden(viewer)
    changes, newer_text, newer_title = [], post.body_markdown, post.thread.title
    for revision in revisions:
        shown = moderator_view or not revision.is_hidden
        change = {
            "revision": revision,
            "shows_text": shown,
            "by_moderator": bool(revision.moderation_action_id)
            or revision.editor_id != post.author_id,
            "lines": [],
            "title_lines": [],
        }
        if shown:
            change["lines"] = _diff(revision.body_markdown, newer_text)
            newer_text = revision.body_markdown
            if revision.title:
                change["title_lines"] = _diff(revision.title, newer_title)
                newer_title = revision.title
        changes.append(change)
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
