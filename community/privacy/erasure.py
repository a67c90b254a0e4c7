"""Erasing an account: the member leaves, their posts stay as a former member's.

The user row is deleted; what hangs on it either goes with it (profile, email addresses, two-factor
authenticators, follows, notifications, reactions, digest subscription and topics, verification
history, consents, exports, client addresses, group memberships) or loses its author (threads,
posts, post revisions, decisions they took as a verifier), which pages show as "A former member".
Besides the rows, erasure rewrites what holds the member's name as text: mentions of them in other
members' posts (Markdown, its stored HTML, earlier revisions), the avatar and export files, the
sessions, and the Django admin's log lines about them.
"""

import re

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Q

from .. import markdown
from ..caching import bump
from ..models import AccountErasure, DataExport, Post, PostRevision, Profile, Reaction, User
from ..signals import post_text_changed


def mention_re(username: str) -> re.Pattern:
    """Return a pattern for ``@username`` as the Markdown renderer sees a mention of it."""
    return re.compile(
        rf"(?<![\w@/.])@{re.escape(username)}(?![A-Za-z0-9_]|[.+-][A-Za-z0-9_])", re.IGNORECASE
    )


def _unlink_mentions(user: User) -> None:
    """Make mentions of *user* in other members' posts plain ``@former-member`` text."""
    pattern = mention_re(user.username)
    needle = f"@{user.username}"
    posts = Post.objects.filter(body_markdown__icontains=needle).exclude(author=user)
    changed = []
    for post in posts.iterator():
        text = pattern.sub(f"@{markdown.FORMER_MEMBER}", post.body_markdown)
        if text != post.body_markdown:
            post.body_markdown, post.body_html = text, markdown.render(text).html
            post.save(update_fields=["body_markdown", "body_html"])
            changed.append(post.pk)
    # The search index holds the words of the text: the old name must leave it too.
    post_text_changed.send(sender=Post, post_ids=changed)
    for revision in PostRevision.objects.filter(body_markdown__icontains=needle).iterator():
        revision.body_markdown = pattern.sub(f"@{markdown.FORMER_MEMBER}", revision.body_markdown)
        revision.save(update_fields=["body_markdown"])


def _delete_sessions(user: User) -> None:
    """Delete every stored session that signs in as *user* (database sessions)."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()


def _delete_files(user: User) -> None:
    """Delete the avatar and export files once the transaction that erased their rows commits."""
    files = [profile.avatar for profile in Profile.objects.filter(user=user).exclude(avatar="")] + [
        export.file for export in DataExport.objects.filter(user=user).exclude(file="")
    ]
    for stored in files:
        storage, name = stored.storage, stored.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _recount_reactions(post_ids) -> None:
    counts = dict(
        Post.objects.filter(pk__in=post_ids)
        .annotate(n=Count("reactions", filter=Q(reactions__kind=Reaction.Kind.HELPFUL)))
        .values_list("pk", "n")
    )
    for post_id, count in counts.items():
        Post.objects.filter(pk=post_id).update(helpful_count=count)


def _forget_admin_log(user: User) -> None:
    """Keep that staff changed the account, not what it was called."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr="former member", change_message="")


@transaction.atomic
def account_erase(*, user: User, initiator: str, processed_by: User | None = None):
    """Erase *user*'s account and personal data; their posts stay, by "A former member"."""
    user = User.objects.select_for_update().get(pk=user.pk)
    former_id = user.pk
    reacted = list(user.reactions.values_list("post_id", flat=True))
    _unlink_mentions(user)
    _delete_files(user)
    _delete_sessions(user)
    _forget_admin_log(user)
    user.delete()
    _recount_reactions(reacted)
    transaction.on_commit(bump)  # cached pages showed the member's name
    return AccountErasure.objects.create(
        former_user_id=former_id, initiator=initiator, processed_by=processed_by
    )
