"""Forum writes: threads, posts, reactions, moving and withdrawing threads.

Counters are changed here only, with F() expressions, inside the transaction of the write.
Notifications are created in the same transaction (there are few recipients per post); the
anonymous page cache is invalidated once the write is committed.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag

from .. import caching, markdown
from ..models import (
    Follow,
    FollowLevel,
    Forum,
    HiddenReason,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Thread,
    User,
    WatchedWord,
)
from ..signals import post_text_changed
from .notifications import new_thread_watchers, notify, read_marker_move


def forum_pages_invalidate() -> None:
    """Drop every cached anonymous forum page once the current transaction commits."""
    transaction.on_commit(caching.bump)


# Words that follow /t/<id>/ in other URLs cannot be a thread's slug.
RESERVED_THREAD_SLUGS = {"reply", "follow"}


def _thread_slug(title: str) -> str:
    slug = slugify(title)[:190].strip("-") or "thread"
    return f"{slug}-thread" if slug in RESERVED_THREAD_SLUGS else slug


def _post_add(
    *, thread: Thread, author: User, body: str, now, held: bool = False
) -> tuple[Post, markdown.Rendered]:
    """Append a post to *thread* and move every counter and marker that depends on it.

    A *held* post takes its number but stays hidden: no counter members see moves, and it is
    not the thread's last post, until a moderator lets it through (``post_visibility_set``).
    """
    rendered = markdown.render(body)
    # The update locks the thread row until commit, so numbers are handed out one at a time.
    shown = {} if held else {"last_activity_at": now}
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, **shown)
    number = Thread.objects.filter(pk=thread.pk).values_list("post_count", flat=True).get()
    post = Post.objects.create(
        thread=thread,
        author=author,
        number=number,
        body_markdown=body,
        body_html=rendered.html,
        created_at=now,
        is_hidden=held,
        hidden_reason=HiddenReason.HELD if held else "",
        hidden_at=now if held else None,
    )
    post_text_changed.send(sender=Post, post_ids=[post.pk])
    thread.post_count = number
    if held:
        Thread.objects.filter(pk=thread.pk).update(
            hidden_post_count=F("hidden_post_count") + 1, is_hidden=thread.is_hidden or number == 1
        )
        thread.hidden_post_count += 1
        thread.is_hidden = thread.is_hidden or number == 1
    else:
        Thread.objects.filter(pk=thread.pk).update(last_post=post)
        shown_thread = {} if thread.is_hidden else {"last_thread": thread}
        Forum.objects.filter(pk=thread.forum_id).update(
            post_count=F("post_count") + 1, **shown_thread
        )
        thread.last_post, thread.last_activity_at = post, now
    read_marker_move(user=author, thread=thread, number=number)
    return post, rendered


def _watched_word(*texts: str) -> WatchedWord | None:
    return WatchedWord.objects.first_match(*texts)


def _hold_log(*, post: Post, word: WatchedWord) -> ModerationAction:
    """Record that *post* was held for review because it matched *word* (an automatic step)."""
    return ModerationAction.objects.create(
        kind=ModerationAction.Kind.HOLD,
        member=post.author,
        post=post,
        thread_id=post.thread_id,
        reason=_("It matched the watched word or pattern “%(pattern)s”.") % {"pattern": word},
    )


def tags_resolve(names: list[str]) -> list[Tag | str]:
    """Return *names*, each replaced by the existing tag with the same slug where there is one.

    "officer-welfare" and "Officer welfare" are one tag (slug ``officer-welfare``); without this,
    taggit would make a second tag with the slug ``officer-welfare_1``.
    """
    slugs = {name: slugify(name) for name in names}
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs.values())}
    return [existing.get(slugs[name], name) for name in names]


@transaction.atomic
def thread_create(
    *, author: User, forum: Forum, title: str, body: str, tags: list[str] | None = None
) -> Thread:
    """Start a thread in *forum* with its first post; *author* watches it from now on.

    A thread whose title or text matches a watched word is held for review: hidden, with no
    notifications, until a moderator lets it through (``thread.is_hidden`` tells the caller).
    """
    now = timezone.now()
    word = _watched_word(title, body)
    thread = Thread.objects.create(
        forum=forum,
        author=author,
        title=title,
        slug=_thread_slug(title),
        created_at=now,
        last_activity_at=now,
    )
    if tags:
        thread.tags.set(tags_resolve(tags))
    if word is None:
        Forum.objects.filter(pk=forum.pk).update(thread_count=F("thread_count") + 1)
    post, rendered = _post_add(thread=thread, author=author, body=body, now=now, held=bool(word))
    Follow.objects.update_or_create(
        user=author, thread=thread, defaults={"level": FollowLevel.WATCHING, "updated_at": now}
    )
    if word is not None:
        _hold_log(post=post, word=word)
    else:
        post_notify_published(post=post, rendered=rendered, tags=tags or [])
    forum_pages_invalidate()
    return thread


@transaction.atomic
def post_create(*, author: User, thread: Thread, body: str) -> Post:
    """Reply in *thread*; the author watches it unless they chose otherwise before.

    A reply that matches a watched word is held for review (``post.is_hidden``).
    """
    now = timezone.now()
    word = _watched_word(body)
    post, rendered = _post_add(thread=thread, author=author, body=body, now=now, held=bool(word))
    Follow.objects.get_or_create(
        user=author, thread=thread, defaults={"level": FollowLevel.WATCHING, "updated_at": now}
    )
    if word is not None:
        _hold_log(post=post, word=word)
    else:
        post_notify_published(post=post, rendered=rendered)
    forum_pages_invalidate()
    return post


def post_notify_published(
    *, post: Post, rendered: markdown.Rendered | None = None, tags: list[str] | None = None
) -> None:
    """Tell watchers, quoted and mentioned members about *post*, now that members may see it."""
    rendered = rendered or markdown.render(post.body_markdown)
    thread = post.thread
    if post.number == 1:
        tags = list(thread.tags.names()) if tags is None else tags
        watchers = new_thread_watchers(thread=thread, tags=tags)
        kind = Notification.Kind.NEW_THREAD
    else:
        watchers = set(
            Follow.objects.filter(thread=thread, level=FollowLevel.WATCHING).values_list(
                "user_id", flat=True
            )
        )
        kind = Notification.Kind.REPLY
    notify(post=post, rendered=rendered, actor=post.author, watchers=watchers, kind=kind)


@transaction.atomic
def post_edit(
    *,
    editor: User,
    post: Post,
    body: str,
    title: str | None = None,
    check_watched: bool = True,
    moderated: bool = False,
) -> PostRevision | None:
    """Change the text of *post* (of an opening post, also the thread's *title*); notify mentions.

    Return the revision that keeps the old text and title, or None when nothing changed. An edit
    that brings in a watched word holds the post for review, like a new post.

    A moderator's edit (*moderated*), an edit by anyone but the author, or an edit of a post
    members do not see makes that revision and every earlier one seen by moderators only: the
    text it replaces was removed by moderation, or never shown to members.
    """
    thread = post.thread
    retitled = title is not None and post.number == 1 and title != thread.title
    if body == post.body_markdown and not retitled:
        return None
    now = timezone.now()
    removes = moderated or post.is_hidden or editor.pk != post.author_id
    if removes:
        PostRevision.objects.filter(post=post).update(is_hidden=True)
    revision = PostRevision.objects.create(
        post=post,
        editor=editor,
        body_markdown=post.body_markdown,
        title=thread.title if retitled else "",
        is_hidden=removes,
        created_at=now,
    )
    if retitled:
        # The slug is made of the title: an old title must not live on in every link.
        thread.title, thread.slug = title, _thread_slug(title)
        Thread.objects.filter(pk=thread.pk).update(title=thread.title, slug=thread.slug)
    previous = markdown.render(post.body_markdown)
    rendered = markdown.render(body)
    post.body_markdown, post.body_html, post.updated_at = body, rendered.html, now
    post.save(update_fields=["body_markdown", "body_html", "updated_at"])
    post_text_changed.send(sender=Post, post_ids=[post.pk])
    texts = (body, title) if retitled else (body,)
    word = _watched_word(*texts) if check_watched and not post.is_hidden else None
    if word is not None:
        post_visibility_set(post=post, reason=HiddenReason.HELD)
        _hold_log(post=post, word=word)
    elif not post.is_hidden:
        rendered.mentions -= previous.mentions
        notify(post=post, rendered=rendered, actor=editor, watchers=set(), kind=None, quotes=False)
    forum_pages_invalidate()
    return revision


@transaction.atomic
def post_quotes_redact(*, editor: User, post: Post) -> int:
    """Take what other posts quote of *post* out of them; return how many posts changed.

    Called when a moderator removes or changes *post*: a quote would keep showing what was
    removed, on the page, in search and in the quoting member's export. Each quote keeps its
    heading (who wrote it, the link to the post) and says the text was removed; the quoting post
    is edited as a moderator edit, so its earlier text is seen by moderators only. Text copied
    without the quote heading cannot be told apart from the member's own words.
    """
    note = _("The quoted text was removed by a moderator.")
    changed = 0
    quoting = (
        Post.objects.filter(body_markdown__contains=f"](/p/{post.pk}/)")
        .exclude(pk=post.pk)
        .select_related("thread")
        .order_by("pk")
    )
    for other in quoting:
        text = markdown.quote_redact(other.body_markdown, post_id=post.pk, note=note)
        if text != other.body_markdown:
            post_edit(editor=editor, post=other, body=text, check_watched=False, moderated=True)
            changed += 1
    return changed


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> Post:
    """Hide *post*: it keeps its number and place in the thread, its text is no longer shown."""
    if post.is_deleted:
        return post
    post.is_deleted, post.deleted_at = True, timezone.now()
    post.save(update_fields=["is_deleted", "deleted_at"])
    latest_shown = (
        Post.objects.filter(thread=post.thread_id, is_deleted=False, is_hidden=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    Thread.objects.filter(pk=post.thread_id, last_post=post).update(
        last_post=Subquery(latest_shown)
    )
    forum_pages_invalidate()
    return post


@transaction.atomic
def post_restore(*, post: Post) -> Post:
    """Undo the deletion of *post* (an appeal that overturns a moderator's deletion)."""
    if not post.is_deleted:
        return post
    post.is_deleted, post.deleted_at = False, None
    post.save(update_fields=["is_deleted", "deleted_at"])
    _thread_last_post_refresh(thread_id=post.thread_id, forum_id=post.thread.forum_id)
    forum_pages_invalidate()
    return post


@transaction.atomic
def post_visibility_set(*, post: Post, reason: str | None) -> Post:
    """Hide *post* from members for *reason* (a ``HiddenReason``), or show it again (None).

    Keeps what members see consistent: a thread is hidden with its opening post; the shown
    counts of thread and forum, the thread's last post and the forum's last thread move.
    """
    was_hidden = post.is_hidden
    post.is_hidden, post.hidden_reason = reason is not None, reason or ""
    post.hidden_at = (post.hidden_at or timezone.now()) if reason else None
    post.save(update_fields=["is_hidden", "hidden_reason", "hidden_at"])
    if was_hidden == post.is_hidden:
        return post  # only the reason changed
    step = 1 if post.is_hidden else -1
    thread_changes = {"hidden_post_count": F("hidden_post_count") + step}
    forum_changes = {"post_count": F("post_count") - step}
    if post.number == 1:
        thread_changes["is_hidden"] = post.is_hidden
        forum_changes["thread_count"] = F("thread_count") - step
    Thread.objects.filter(pk=post.thread_id).update(**thread_changes)
    Forum.objects.filter(pk=post.thread.forum_id).update(**forum_changes)
    _thread_last_post_refresh(thread_id=post.thread_id, forum_id=post.thread.forum_id)
    post.thread.refresh_from_db()
    forum_pages_invalidate()
    return post


def _thread_last_post_refresh(*, thread_id: int, forum_id: int) -> None:
    """Point the thread at its latest shown post, and the forum at its latest shown thread."""
    shown = Post.objects.filter(thread=thread_id, is_hidden=False).order_by("-number")
    Thread.objects.filter(pk=thread_id).update(
        last_post=Subquery(shown.filter(is_deleted=False).values("pk")[:1]),
        last_activity_at=Coalesce(Subquery(shown.values("created_at")[:1]), F("created_at")),
    )
    latest_thread = Thread.objects.filter(forum=forum_id, is_hidden=False).order_by(
        "-last_activity_at", "-pk"
    )
    Forum.objects.filter(pk=forum_id).update(last_thread=Subquery(latest_thread.values("pk")[:1]))


def _forum_counts_refresh(*, forum_ids: list[int]) -> None:
    """Count again what members see in each forum: its shown threads, their shown posts, the latest.

    For the rare writes that move whole threads; the everyday writes move the counters by one.
    """
    for forum_id in set(forum_ids):
        shown = Thread.objects.filter(forum=forum_id, is_hidden=False)
        Forum.objects.filter(pk=forum_id).update(
            thread_count=shown.count(),
            post_count=Post.objects.filter(thread__in=shown, is_hidden=False).count(),
            last_thread=shown.order_by("-last_activity_at", "-pk").first(),
        )


@transaction.atomic
def thread_move(*, thread: Thread, forum: Forum) -> Thread:
    """Move *thread*, with its posts, to *forum*; the counts of both forums follow.

    Every surface asks the audience of the thread's forum, so who sees the thread (its page,
    listings, feeds, search, notifications, digests) changes with this one row.
    """
    source_id = thread.forum_id
    if source_id == forum.pk:
        return thread
    Thread.objects.filter(pk=thread.pk).update(forum=forum)
    thread.forum = forum
    _forum_counts_refresh(forum_ids=[source_id, forum.pk])
    forum_pages_invalidate()
    return thread


@transaction.atomic
def thread_withdrawal_set(*, thread: Thread, withdrawn: bool) -> Thread:
    """Hide *thread* from members while what it discusses is withdrawn, or show it again.

    The opening post is hidden (``HiddenReason.WITHDRAWN``), which hides the thread on every
    surface, as moderation does. Only a thread withdrawn this way comes back: one a moderator
    hid, or that waits for review, stays as it is.
    """
    opening = thread.posts.filter(number=1).first()
    if opening is None:
        return thread
    if withdrawn and not opening.is_hidden:
        post_visibility_set(post=opening, reason=HiddenReason.WITHDRAWN)
    elif not withdrawn and opening.hidden_reason == HiddenReason.WITHDRAWN:
        post_visibility_set(post=opening, reason=None)
    else:
        return thread
    _forum_counts_refresh(forum_ids=[thread.forum_id])
    thread.refresh_from_db()
    return thread


@transaction.atomic
def reaction_toggle(*, user: User, post: Post, kind: str = Reaction.Kind.HELPFUL) -> bool:
    """Add *user*'s reaction to *post*, or take it back; return whether it is there now."""
    deleted, _detail = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
        is_active = False
    else:
        try:
            with transaction.atomic():
                Reaction.objects.create(post=post, user=user, kind=kind)
        except IntegrityError:
            return True  # a double submission already added it
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
        is_active = True
    forum_pages_invalidate()
    return is_active
