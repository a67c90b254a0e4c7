"""What forum pages show beside the objects themselves: read state, follow level, edit diffs,
and what a grouped notification says."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Follow, FollowLevel, Notification, Post, ThreadRead
from .permissions import can_see_profile_field, is_verified_practitioner

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
        last_read = thread.my_last_read
        thread.is_new = user.is_authenticated and last_read is None
        thread.unread_count = thread.post_count - last_read if last_read is not None else 0
    return threads


def follow_level(user, **target):
    """Return how closely *user* follows the thread, forum or tag in *target*."""
    if not user.is_authenticated:
        return None
    level = Follow.objects.filter(user=user, **target).values_list("level", flat=True).first()
    return level or FollowLevel.NORMAL


def annotated_follow_level(user, obj):
    """Return how closely *user* follows *obj*, fetched ``with_follow_level(user)`` (no query)."""
    if not user.is_authenticated:
        return None
    return obj.my_follow_level or FollowLevel.NORMAL


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


# Unchanged lines shown around a change; longer unchanged runs fold into "N unchanged lines".
DIFF_CONTEXT = 1
_WORD_RE = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class DiffLine:
    """One line of an edit's diff: its kind and its HTML (text escaped, changes marked)."""

    kind: str  # "same", "changed" (words marked), "removed", "added" or "skip" (folded lines)
    html: str


def _marked(tag: str, text: str) -> str:
    label = gettext("added:") if tag == "ins" else gettext("removed:")
    return format_html('<{0}><span class="visually-hidden">{1} </span>{2}</{0}>', tag, label, text)


def _whole_line(kind: str, text: str) -> DiffLine:
    tag = "ins" if kind == "added" else "del"
    shown = text or format_html('<span class="visually-hidden">{}</span>', gettext("empty line"))
    return DiffLine(kind, _marked(tag, shown))


def _word_diff(older: str, newer: str) -> DiffLine | None:
    """Return one line with the words added and removed marked, or None if most words changed.

    Marks are easy to read when most of the line stays, or when words were only added or only
    removed; a line rewritten more than that reads better as its old and its new version.
    """
    old_words, new_words = _WORD_RE.findall(older), _WORD_RE.findall(newer)
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in old_words],
                                      [w.strip() for w in new_words], autojunk=False)  # fmt: skip
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if matcher.ratio() <= 0.5 and not (len(changes) == 1 and changes[0][0] != "replace"):
        return None
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(conditional_escape("".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            parts.append(_marked("del", "".join(old_words[i1:i2])))
        if j2 > j1:
            parts.append(_marked("ins", "".join(new_words[j1:j2])))
    return DiffLine("changed", mark_safe("".join(parts)))  # noqa: S308 - parts are escaped


def _fold(rows: list[DiffLine]) -> list[DiffLine]:
    """Fold each run of unchanged lines longer than the context around it into one line."""
    folded, run = [], []
    for row in [*rows, None]:
        if row is not None and row.kind == "same":
            run.append(row)
            continue
        head = DIFF_CONTEXT if len(folded) else 0
        tail = DIFF_CONTEXT if row is not None else 0
        if len(run) > head + tail + 1:
            hidden = len(run) - head - tail
            text = ngettext("%(count)d unchanged line", "%(count)d unchanged lines", hidden)
            folded += run[:head]
            folded.append(DiffLine("skip", text % {"count": hidden}))
            folded += run[len(run) - tail :] if tail else []
        else:
            folded += run
        run = []
        if row is not None:
            folded.append(row)
    return folded


def edit_diff(older: str, newer: str) -> list[DiffLine]:
    """Return the lines of a compact diff from *older* to *newer*: changed words marked."""
    old_lines, new_lines = older.splitlines(), newer.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [DiffLine("same", conditional_escape(line)) for line in new_lines[j1:j2]]
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        for old, new in zip(removed, added, strict=False):
            row = _word_diff(old, new)
            rows += [row] if row else [_whole_line("removed", old), _whole_line("added", new)]
        paired = min(len(removed), len(added))
        rows += [_whole_line("removed", line) for line in removed[paired:]]
        rows += [_whole_line("added", line) for line in added[paired:]]
    return _fold(rows)


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
            change["lines"] = edit_diff(revision.body_markdown, newer_text)
            newer_text = revision.body_markdown
            if revision.title:
                change["title_lines"] = edit_diff(revision.title, newer_title)
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


@dataclass(frozen=True)
class NotificationSummary:
    """What one notification tells a member: a sentence, the post it leads to, how many times."""

    text: str
    target: Post
    count: int
    times: str = ""


def _actor_names(events) -> tuple[str, int]:
    """Name who brought *events*, first one first ("A", "A and B", "A, B and 3 others"); count."""
    names: dict[int | None, str] = {}  # former members (erased accounts) are one "former member"
    for event in events:
        if event.actor_id in names:
            continue
        if event.actor is not None:
            names[event.actor_id] = event.actor.get_display_name()
        else:
            names[None] = gettext("a former member") if names else gettext("A former member")
    first, *rest = names.values()
    if not rest:
        return first, 1
    if len(rest) == 1:
        return gettext("%(first)s and %(second)s") % {"first": first, "second": rest[0]}, 2
    others = len(rest) - 1
    text = ngettext(
        "%(first)s, %(second)s and %(count)d other",
        "%(first)s, %(second)s and %(count)d others",
        others,
    ) % {"first": first, "second": rest[0], "count": others}
    return text, len(names)


def notification_summary(notification, events) -> NotificationSummary | None:
    """Describe *notification* by the *events* its reader may see (oldest first); None if none.

    Everyone named wrote (or edited in) one of those posts, and the entry leads to the newest of
    them in the thread: what the member opens is what the sentence announced.
    """
    events = list(events)
    if not events:
        return None
    target = max((event.post for event in events), key=lambda post: post.number)
    actors, actor_count = _actor_names(events)
    names = {"actors": actors, "thread": notification.thread.title, "count": len(events)}
    times = ""
    if notification.kind == Notification.Kind.MENTION:
        # Translators: the plural is for the number of people named in %(actors)s.
        text = ngettext(
            "%(actors)s mentioned you in “%(thread)s”",
            "%(actors)s mentioned you in “%(thread)s”",
            actor_count,
        )
    elif notification.kind == Notification.Kind.QUOTE:
        # Translators: the plural is for the number of people named in %(actors)s.
        text = ngettext(
            "%(actors)s quoted you in “%(thread)s”",
            "%(actors)s quoted you in “%(thread)s”",
            actor_count,
        )
    elif notification.kind == Notification.Kind.NEW_THREAD:
        text = gettext("New thread by %(actors)s: “%(thread)s”")
    elif len(events) == 1:
        text = gettext("%(actors)s replied in “%(thread)s”")
    else:
        text = ngettext(
            "%(count)d new reply in “%(thread)s”, by %(actors)s",
            "%(count)d new replies in “%(thread)s”, by %(actors)s",
            len(events),
        )
    if len(events) > 1 and notification.kind in (
        Notification.Kind.MENTION,
        Notification.Kind.QUOTE,
    ):
        times = ngettext("(%(count)d time)", "(%(count)d times)", len(events)) % names
    return NotificationSummary(text=text % names, target=target, count=len(events), times=times)


def with_summaries(notifications):
    """Set ``summary`` on notifications fetched ``for_listing(user)`` (None for decisions)."""
    for notification in notifications:
        notification.summary = (
            None
            if notification.kind == Notification.Kind.MODERATION
            else notification_summary(notification, notification.shown_events)
        )
    return notifications


def profile_badge(profile, viewer):
    """Return what the "Verified practitioner" badge of *profile* shows to *viewer*.

    Empty for members who are not verified (or whose verification expired).
    """
    if not profile or not is_verified_practitioner(profile.user):
        return {}
    badge = {"is_verified": True}
    if can_see_profile_field(viewer, profile, "stakeholder_type"):
        badge["stakeholder_type"] = profile.get_stakeholder_type_display()
    if profile.country and can_see_profile_field(viewer, profile, "country"):
        badge["country"] = profile.country.name
    return badge
