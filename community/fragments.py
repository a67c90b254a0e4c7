"""Cached HTML of posts, thread rows and forum cards, so pages do not re-render them each time.

A post's HTML depends on the post, its author, the thread's lock, the page it sits on and a few
facts about the viewer (may they react, edit, delete, quote; did they react; which of the author's
profile fields may they see). ``post_fragments`` computes those facts, which are cheap, and keys
the fragment by a hash of *everything* the template reads, so nothing is ever invalidated by hand:
a changed post, profile or permission makes a different key. Forms in the fragment carry no CSRF
token (their buttons submit the page's one ``post-actions`` form), so a fragment is the same for
every viewer with the same facts. Thread rows work the same way (``thread_row_fragments``).
Mentions link only to profiles the viewer may open: those usernames are one more fact in the key.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import markdown
from .permissions import (
    can_delete_post,
    can_edit_post,
    can_flag,
    can_react,
    can_reply,
    can_see_profile_field,
    is_moderator,
)
from .presenters import linkable_mentions, profile_badge

TIMEOUT = 24 * 60 * 60
_template_version = None


def _templates_version() -> str:
    """Return a hash of the component templates, so a deploy with new templates gets new keys."""
    global _template_version
    if _template_version is None or settings.DEBUG:
        digest = hashlib.blake2b(digest_size=8)
        for path in sorted((Path(settings.BASE_DIR) / "templates" / "components").glob("*.html")):
            digest.update(path.read_bytes())
        _template_version = digest.hexdigest()
    return _template_version


def _state(obj: Model | None) -> tuple:
    """Return the values of every concrete field of *obj* (the part of it a template can read)."""
    if obj is None:
        return ()
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def post_context(post, *, viewer, page, linkable=frozenset()) -> dict:
    """Return what ``components/post.html`` shows of *post* to *viewer*.

    *linkable*: the mentioned usernames whose profile *viewer* may open (``linkable_mentions``).
    """
    profile = getattr(post.author, "profile", None) if post.author else None
    return {
        "post": post,
        "page": page,
        "linkable": frozenset(markdown.mentioned(post.body_html)) & linkable,
        "may": {
            "react": can_react(viewer, post),
            "edit": can_edit_post(viewer, post),
            "delete": can_delete_post(viewer, post),
            "quote": can_reply(viewer, post.thread),
            "flag": can_flag(viewer, post),
            "moderate": is_moderator(viewer),
        },
        "has_reacted": bool(getattr(post, "has_reacted", False)),
        "badge": profile_badge(profile, viewer),
        "shows_stakeholder_type": bool(
            profile and can_see_profile_field(viewer, profile, "stakeholder_type")
        ),
        "links_profile": bool(profile and can_see_profile_field(viewer, profile, "profile")),
    }


def _post_material(context: dict) -> tuple:
    post = context["post"]
    profile = getattr(post.author, "profile", None) if post.author else None
    return (
        _state(post),
        _state(post.author),
        _state(profile),
        post.thread.is_locked,
        context["page"]["number"],
        sorted(context["may"].items()),
        context["has_reacted"],
        sorted(context["badge"].items()),
        context["shows_stakeholder_type"],
        context["links_profile"],
        sorted(context["linkable"]),
    )


def _render_cached(template: str, prefix: str, contexts: list[dict], material) -> list[str]:
    """Render *template* once per distinct ``material(context)``, reusing cached HTML."""
    version = _templates_version()
    language = get_language()
    keys = [
        f"{prefix}:{version}:"
        + hashlib.blake2b(repr((material(c), language)).encode(), digest_size=16).hexdigest()
        for c in contexts
    ]
    cached = cache.get_many(keys)
    missing = {}
    html = []
    for key, context in zip(keys, contexts, strict=True):
        if key not in cached:
            cached[key] = missing[key] = render_to_string(template, context)
        html.append(mark_safe(cached[key]))  # noqa: S308 - rendered by our own template
    if missing:
        cache.set_many(missing, TIMEOUT)
    return html


def post_fragments(posts, *, viewer, page) -> list[str]:
    """Return the HTML of each of *posts* as *viewer* sees it, from the cache where it can."""
    linkable = linkable_mentions(viewer, [post.body_html for post in posts])
    contexts = [post_context(post, viewer=viewer, page=page, linkable=linkable) for post in posts]
    return _render_cached("components/post.html", "post-html", contexts, _post_material)


def _thread_row_material(context: dict) -> tuple:
    thread = context["thread"]
    last_author = thread.last_post.author if thread.last_post else None
    return (
        _state(thread),
        _state(thread.author),
        _state(last_author),
        [tag.slug + tag.name for tag in thread.tag_list],
        thread.forum.slug,
        thread.is_new,
        thread.unread_count,
    )


def thread_row_fragments(threads) -> list[str]:
    """Return the HTML of each of *threads* (fetched for a listing, with read state)."""
    contexts = [{"thread": thread} for thread in threads]
    return _render_cached(
        "components/thread_row.html", "thread-row", contexts, _thread_row_material
    )


def _forum_card_material(context: dict) -> tuple:
    forum = context["forum"]
    thread = forum.last_thread
    last_post = thread.last_post if thread else None
    return (
        _state(forum),
        _state(thread),
        _state(last_post.author if last_post else None),
    )


def forum_card_fragments(forums) -> list[str]:
    """Return the HTML of each of *forums* (fetched ``with_last_activity``), alike for everyone."""
    contexts = [{"forum": forum} for forum in forums]
    return _render_cached(
        "components/forum_card.html", "forum-card", contexts, _forum_card_material
    )
