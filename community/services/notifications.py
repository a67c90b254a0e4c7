"""Notifications: following, reading, and telling members about new posts (in the portal and
by email).
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from taggit.models import Tag

from .. import emails, markdown
from ..models import (
    Follow,
    FollowLevel,
    Forum,
    Notification,
    NotificationEvent,
    Post,
    Thread,
    ThreadRead,
    User,
)
from ..permissions import can_see


def follow_set(
    *,
    user: User,
    level: str,
    thread: Thread | None = None,
    forum: Forum | None = None,
    tag: Tag | None = None,
) -> Follow:
    """Set how closely *user* follows one thread, forum or tag."""
    follow, _created = Follow.objects.update_or_create(
        user=user,
        thread=thread,
        forum=forum,
        tag=tag,
        defaults={"level": level, "updated_at": timezone.now()},
    )
    return follow


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark *user*'s notifications with *ids* (all of them when None) read; return how many."""
    unread = Notification.objects.filter(recipient=user, is_read=False)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(is_read=True)


def thread_mark_read(*, user: User, thread: Thread, number: int, marker=None) -> None:
    """Record that *user* has been shown *thread* up to post *number*.

    *marker* is the member's ThreadRead when the caller has it already (saves a query).
    Also marks read the thread's notifications whose every post the member may see is now
    seen: an entry that also stands for a later post stays unread until that post is shown.
    """
    if marker is not None and marker.last_read_number >= number:
        return  # the usual case when a member comes back: nothing to write
    with transaction.atomic():
        read_marker_move(user=user, thread=thread, number=number)
        unseen = NotificationEvent.objects.filter(
            notification=OuterRef("pk"), post__number__gt=number
        ).shown_to(user)
        Notification.objects.filter(recipient=user, thread=thread, is_read=False).filter(
            Q(kind=Notification.Kind.MODERATION, post__number__lte=number)
            | (~Q(kind=Notification.Kind.MODERATION) & ~Exists(unseen))
        ).update(is_read=True)


def read_marker_move(*, user: User, thread: Thread, number: int) -> None:
    """Move *user*'s read marker in *thread* forward to *number*; a first marker is a reader."""
    now = timezone.now()
    moved = ThreadRead.objects.filter(user=user, thread=thread, last_read_number__lt=number).update(
        last_read_number=number, updated_at=now
    )
    if moved:
        return
    _marker, created = ThreadRead.objects.get_or_create(
        user=user, thread=thread, defaults={"last_read_number": number, "updated_at": now}
    )
    if created:
        Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)


def new_thread_watchers(*, thread: Thread, tags: list[str]) -> set[int]:
    forum_follows = dict(
        Follow.objects.filter(forum=thread.forum_id).values_list("user_id", "level")
    )
    watchers = {
        user_id for user_id, level in forum_follows.items() if level == FollowLevel.WATCHING
    }
    if tags:
        watchers |= set(
            Follow.objects.filter(
                tag__in=thread.tags.all(), level=FollowLevel.WATCHING
            ).values_list("user_id", flat=True)
        )
    # Muting a forum silences it, even for a tag the member watches.
    return {user_id for user_id in watchers if forum_follows.get(user_id) != FollowLevel.MUTED}


NOTIFICATION_PRIORITY = [Notification.Kind.MENTION, Notification.Kind.QUOTE]


def notify(*, post, rendered, actor, watchers, kind, quotes=True) -> None:
    """Tell each member once about *post*: a mention beats a quote beats watching.

    Only members who may see the thread hear about it, and nobody hears about their own post or
    about a thread they muted.
    """
    thread = post.thread
    candidates: dict[int, str] = dict.fromkeys(watchers, kind) if kind else {}
    if quotes:
        quoted_ids = markdown.quoted_post_ids(post.body_markdown)
        quoted_authors = (
            Post.objects.visible_to(actor)
            .filter(pk__in=quoted_ids, author__isnull=False)
            .values_list("author_id", flat=True)
        )
        for user_id in quoted_authors:
            candidates[user_id] = Notification.Kind.QUOTE
    if rendered.mentions:
        for user_id in User.objects.filter(username__in=rendered.mentions).values_list(
            "pk", flat=True
        ):
            candidates[user_id] = Notification.Kind.MENTION
    candidates.pop(actor.pk, None)
    if not candidates:
        return
    muted = set(
        Follow.objects.filter(
            thread=thread, user__in=candidates, level=FollowLevel.MUTED
        ).values_list("user_id", flat=True)
    )
    recipients = User.objects.filter(pk__in=set(candidates) - muted, is_active=True).select_related(
        "profile"
    )
    for recipient in recipients:
        if can_see(recipient, thread.forum):
            notification_add(
                recipient=recipient, kind=candidates[recipient.pk], post=post, actor=actor
            )


def notification_add(*, recipient: User, kind: str, post: Post, actor: User) -> None:
    """Add *post* to *recipient*'s unread entry for this thread and kind, or start one.

    The entry keeps every post it stands for (its events), so it can name everyone who wrote
    one and lead to the newest; a post already in the entry is not counted twice.
    """
    now = timezone.now()
    unread = Notification.objects.filter(
        recipient=recipient, thread=post.thread_id, kind=kind, is_read=False
    )
    with transaction.atomic():
        # The lock makes concurrent replies join the entry one after the other.
        notification = unread.select_for_update(of=("self",)).select_related("post").first()
        if notification is None:
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        recipient=recipient,
                        kind=kind,
                        thread_id=post.thread_id,
                        post=post,
                        actor=actor,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # Another reply created the entry a moment ago: join it.
                notification = unread.select_for_update(of=("self",)).select_related("post").get()
            else:
                NotificationEvent.objects.create(
                    notification=notification, post=post, actor=actor, created_at=now
                )
                # One email per unread entry: later events join the entry, not the inbox.
                emails.queue("notification", notification_id=notification.pk)
                return
        _event, added = NotificationEvent.objects.get_or_create(
            notification=notification, post=post, defaults={"actor": actor, "created_at": now}
        )
        if not added:
            return
        changes = {"count": F("count") + 1, "updated_at": now}
        if post.number >= notification.post.number:
            changes.update(post=post, actor=actor)
        Notification.objects.filter(pk=notification.pk).update(**changes)


@emails.builder("notification")
def notification(*, notification_id: int):
    """Tell a member about a new unread notification, unless they have read it since.

    Built when it is sent: it names everyone whose post the entry stands for by then, and only
    posts still published (a post hidden or deleted meanwhile is neither named nor linked).
    """
    from ..presenters import notification_summary

    entry = (
        Notification.objects.select_related("recipient__profile", "thread__forum")
        .filter(pk=notification_id, is_read=False, recipient__is_active=True)
        .first()
    )
    if entry is None or entry.thread.is_hidden or not can_see(entry.recipient, entry.thread.forum):
        return None
    events = entry.events.published().select_related("post", "actor")
    summary = notification_summary(entry, events)
    if summary is None:
        return None  # every post it stood for was hidden or deleted before the email went out
    thread = entry.thread
    return emails.build(
        template="notification",
        to=entry.recipient.email,
        subject=summary.text,
        context={
            "member": entry.recipient,
            "notification": entry,
            "summary": summary,
            "thread": thread,
            "post_url": emails.absolute_url(summary.target.get_absolute_url()),
            "thread_url": emails.absolute_url(thread.get_absolute_url()),
        },
    )
