"""Moderation writes: flags, moderator decisions, appeals and suspensions (keyword-only, atomic).

Every step writes a ``ModerationAction`` (the audit log). Decisions about a member's conduct
notify the member in the portal and by email, once the transaction is committed.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import emails
from ..models import (
    Appeal,
    Flag,
    HiddenReason,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    Thread,
    User,
)
from ..permissions import Role, can_decide_appeal, can_flag, is_moderator
from . import forums

Kind = ModerationAction.Kind
PENDING_REVIEW = {HiddenReason.HELD, HiddenReason.FLAGGED}


class ModerationError(Exception):
    """A moderation step that cannot happen: the message says why; nothing was changed."""


# Flags ----------------------------------------------------------------------------------------


@transaction.atomic
def flag_create(*, flagger: User, post: Post, reason: str, note: str = "") -> Flag:
    """Record *flagger*'s flag on *post*; enough distinct flaggers hide it pending review.

    ``settings.MODERATION_AUTO_HIDE_FLAGS`` open flags from different members hide the post at
    once; so does one flag from a moderator.
    """
    if not can_flag(flagger, post):
        raise ModerationError(_("You cannot flag this post."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, flagger=flagger, reason=reason, note=note)
    except IntegrityError:
        raise ModerationError(
            _("You flagged this post already. Moderators have your report; nothing was changed.")
        ) from None
    post = (
        Post.objects.select_for_update(of=("self",)).select_related("thread__forum").get(pk=post.pk)
    )
    if post.is_hidden:
        return flag
    flaggers = Flag.objects.filter(post=post, resolved_at__isnull=True).count()
    by_moderator = is_moderator(flagger)
    if by_moderator or flaggers >= settings.MODERATION_AUTO_HIDE_FLAGS:
        forums.post_visibility_set(post=post, reason=HiddenReason.FLAGGED)
        ModerationAction.objects.create(
            kind=Kind.AUTO_HIDE,
            member=post.author,
            post=post,
            thread_id=post.thread_id,
            rule=reason,
            reason=_("A moderator flagged it.")
            if by_moderator
            else ngettext("%(count)d member flagged it.", "%(count)d members flagged it.", flaggers)
            % {"count": flaggers},
        )
    return flag


# Moderator decisions --------------------------------------------------------------------------


@transaction.atomic
def moderation_act(
    *,
    moderator: User,
    post: Post,
    kind: str,
    reason: str,
    rule: str = "",
    body: str = "",
    title: str = "",
    suspend_days: int | None = None,
) -> ModerationAction:
    """Apply one moderator decision of *kind* to *post* (and its thread or author), logged.

    Every decision closes the post's open flags. A decision about the author's conduct
    (``ModerationAction.APPEALABLE``) tells the author the rule and the reason. An edit may also
    give an opening post's thread a new *title*. What an edit, a hide or a deletion removes is
    kept for moderators only: the edit history keeps it from members, and quotes of the post in
    other posts lose it.
    """
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__forum", "author")
        .get(pk=post.pk)
    )
    if not is_moderator(moderator):
        raise ModerationError(_("Only moderators take moderation decisions."))
    if post.is_deleted:
        raise ModerationError(_("This post was deleted: there is nothing left to moderate."))
    if kind in {Kind.WARN, Kind.SUSPEND} and post.author is None:
        raise ModerationError(_("The author of this post has left: there is no one to warn."))
    apply = _DECISIONS.get(kind)
    if apply is None:
        raise ModerationError(_("Choose what to do."))
    thread = post.thread
    revision, fields = apply(
        moderator=moderator, post=post, body=body, title=title, suspend_days=suspend_days
    )
    action = ModerationAction.objects.create(
        kind=kind,
        moderator=moderator,
        member=post.author,
        post=post,
        thread=thread,
        rule=rule,
        reason=reason,
        **fields,
    )
    if revision is not None:
        PostRevision.objects.filter(pk=revision.pk).update(moderation_action=action)
    Flag.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=action.created_at, resolved_by=action
    )
    if action.is_appealable and post.author is not None:
        _decision_notify(action=action, recipient=post.author)
    forums.forum_pages_invalidate()
    return action


# One function per kind of decision: each applies it and returns the post revision it made (an
# edit) and the extra fields of the logged action.


def _dismiss(*, post, **kwargs):
    if post.is_hidden and post.hidden_reason in PENDING_REVIEW:
        _post_release(post)
    return None, {}


def _hide(*, moderator, post, **kwargs):
    forums.post_visibility_set(post=post, reason=HiddenReason.MODERATOR)
    forums.post_quotes_redact(editor=moderator, post=post)
    return None, {}


def _delete(*, moderator, post, **kwargs):
    forums.post_delete(actor=moderator, post=post)
    forums.post_quotes_redact(editor=moderator, post=post)
    return None, {}


def _edit(*, moderator, post, body, title, **kwargs):
    if not body.strip():
        raise ModerationError(_("Give the new text of the post."))
    revision = forums.post_edit(
        editor=moderator,
        post=post,
        body=body,
        title=title.strip() or None,
        check_watched=False,
        moderated=True,
    )
    if revision is not None and revision.body_markdown != post.body_markdown:
        forums.post_quotes_redact(editor=moderator, post=post)
    if post.is_hidden and post.hidden_reason in PENDING_REVIEW:
        _post_release(post)
    return revision, {}


def _lock(*, post, **kwargs):
    if post.thread.is_locked:
        raise ModerationError(_("This thread is locked already."))
    Thread.objects.filter(pk=post.thread_id).update(is_locked=True)
    return None, {}


def _warn(**kwargs):
    return None, {}


def _suspend(*, post, suspend_days, **kwargs):
    if not suspend_days or suspend_days < 1:
        raise ModerationError(_("Give the length of the suspension in days."))
    until = timezone.now() + datetime.timedelta(days=suspend_days)
    member_suspend(user=post.author, until=until)
    return None, {"suspended_until": until}


_DECISIONS = {
    Kind.DISMISS: _dismiss,
    Kind.HIDE: _hide,
    Kind.DELETE: _delete,
    Kind.EDIT: _edit,
    Kind.LOCK: _lock,
    Kind.WARN: _warn,
    Kind.SUSPEND: _suspend,
}


def _post_release(post: Post) -> None:
    """Show a post that waited for review; a post held before anyone saw it is announced now."""
    was_held = post.hidden_reason == HiddenReason.HELD
    forums.post_visibility_set(post=post, reason=None)
    if was_held and post.author is not None:
        forums.post_notify_published(post=post)


def member_suspend(*, user: User, until: datetime.datetime | None) -> None:
    """Suspend *user* until *until* (None lifts it) and end every session they have."""
    User.objects.filter(pk=user.pk).update(suspended_until=until)
    user.suspended_until = until
    if until is not None:
        sessions_end(user=user)


def sessions_end(*, user: User) -> int:
    """End *user*'s sessions now; return how many were deleted.

    Database-backed engines (``db``, ``cached_db``) are searched and each session deleted
    through its engine, so cached copies go too. A cache-only engine cannot be searched: there
    ``SuspendedMemberMiddleware`` ends the session on the member's next request instead.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _decision_notify(*, action: ModerationAction, recipient: User) -> None:
    """Tell *recipient* about *action* in the portal, and by email once committed."""
    Notification.objects.create(
        recipient=recipient,
        kind=Notification.Kind.MODERATION,
        thread_id=action.thread_id or action.post.thread_id,
        post_id=action.post_id,
        actor=action.moderator,
        moderation_action=action,
    )
    emails.queue("moderation_decision", action_id=action.pk)


def decision_notice_read(*, user: User, action: ModerationAction) -> int:
    """Mark *user*'s notice of *action* read, and nothing else: they opened the decision."""
    return Notification.objects.filter(
        recipient=user, moderation_action=action, is_read=False
    ).update(is_read=True)


# Appeals --------------------------------------------------------------------------------------


def has_other_moderator(*, action: ModerationAction) -> bool:
    """Return whether a moderator may decide an appeal against *action*: an active one other
    than the one who took it and the member it concerns. Without one, referees decide
    (``permissions.can_referee_appeals``)."""
    return (
        User.objects.filter(Q(is_staff=True) | Q(groups__name=Role.MODERATORS), is_active=True)
        .exclude(pk__in={action.moderator_id, action.member_id} - {None})
        .exists()
    )


@transaction.atomic
def appeal_create(*, member: User, action: ModerationAction, text: str) -> Appeal:
    """Record *member*'s one appeal against *action*; another moderator (or a referee) decides."""
    if action.member_id != member.pk or not action.is_appealable:
        raise ModerationError(_("You can appeal only decisions about your own posts."))
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=action, appellant=member, text=text)
    except IntegrityError:
        raise ModerationError(
            _("You appealed this decision already: each decision can be appealed once.")
        ) from None


@transaction.atomic
def appeal_decide(
    *, moderator: User, appeal: Appeal, overturn: bool, reason: str
) -> ModerationAction:
    """Uphold or overturn the decision *appeal* is about; overturning undoes what it did."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("action__post__thread")
        .get(pk=appeal.pk)
    )
    others = has_other_moderator(action=appeal.action)
    if not can_decide_appeal(moderator, appeal, has_other_moderator=others):
        if appeal.status != Appeal.Status.PENDING:
            raise ModerationError(_("This appeal was decided already."))
        raise ModerationError(
            _("Another moderator decides this appeal: not the one who took the decision.")
        )
    decided = appeal.action
    revision = _decision_undo(decided, moderator=moderator) if overturn else None
    now = timezone.now()
    appeal.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
    appeal.decided_at = now
    appeal.save(update_fields=["status", "decided_at"])
    action = ModerationAction.objects.create(
        kind=Kind.APPEAL_OVERTURNED if overturn else Kind.APPEAL_UPHELD,
        moderator=moderator,
        member=appeal.appellant,
        post=decided.post,
        thread_id=decided.thread_id,
        rule=decided.rule,
        reason=reason,
        appeal=appeal,
        created_at=now,
    )
    if revision is not None:
        PostRevision.objects.filter(pk=revision.pk).update(moderation_action=action)
    if decided.post_id:
        _decision_notify(action=action, recipient=appeal.appellant)
    forums.forum_pages_invalidate()
    return action


def _decision_undo(decided: ModerationAction, *, moderator: User) -> PostRevision | None:
    """Undo what *decided* did; return the revision an undone edit made (it names the appeal)."""
    post = decided.post
    if decided.kind == Kind.HIDE and post and post.is_hidden:
        forums.post_visibility_set(post=post, reason=None)
    elif decided.kind == Kind.DELETE and post:
        forums.post_restore(post=post)
    elif decided.kind == Kind.EDIT and post:
        before = PostRevision.objects.filter(moderation_action=decided).first()
        if before is not None:
            return forums.post_edit(
                editor=moderator,
                post=post,
                body=before.body_markdown,
                title=before.title or None,
                check_watched=False,
                moderated=True,
            )
    elif decided.kind == Kind.LOCK and decided.thread_id:
        Thread.objects.filter(pk=decided.thread_id).update(is_locked=False)
    elif decided.kind == Kind.SUSPEND and decided.member_id:
        User.objects.filter(pk=decided.member_id, suspended_until=decided.suspended_until).update(
            suspended_until=None
        )


@emails.builder("moderation_decision")
def moderation_decision(*, action_id: int):
    """Build the email that tells a member what a moderator decided: which rule, why, appeal."""
    action = (
        ModerationAction.objects.select_related("member", "thread").filter(pk=action_id).first()
    )
    if action is None or action.member is None:
        return None  # the member left in the meantime
    return emails.build(
        template="moderation_decision",
        to=action.member.email,
        subject=_("A moderation decision about your post"),
        context={
            "action": action,
            "member": action.member,
            "decision_url": emails.absolute_url(action.get_absolute_url()),
        },
    )
