"""What members may do in the forums: predicates built on ``permissions.can_see``.

Views, services and templates ask these, so a rule is never written twice. They live beside
``permissions.py`` (which answers who may *see* what) only until that module is free to change.
"""

from .permissions import can_see, has_verified_email


def may_write(user) -> bool:
    """Return whether *user* may write at all: an active member with a verified email."""
    if not user.is_authenticated or not user.is_active:
        return False
    # Asked several times per page: remember the answer for the request.
    if not hasattr(user, "_may_write"):
        user._may_write = has_verified_email(user)
    return user._may_write


def can_start_thread(user, forum) -> bool:
    """Return whether *user* may start a thread in *forum*."""
    return may_write(user) and can_see(user, forum)


def can_reply(user, thread) -> bool:
    """Return whether *user* may reply in *thread*: visible and open (staff reply anyway)."""
    return (
        may_write(user) and can_see(user, thread.forum) and (not thread.is_locked or user.is_staff)
    )


def can_edit_post(user, post) -> bool:
    """Return whether *user* may edit *post*: their own, not deleted, in a thread they may see."""
    return (
        may_write(user)
        and not post.is_deleted
        and (post.author_id == user.pk or user.is_staff)
        and can_see(user, post.thread.forum)
    )


def can_delete_post(user, post) -> bool:
    """Return whether *user* may delete *post* (the same people who may edit it)."""
    return can_edit_post(user, post)


def can_react(user, post) -> bool:
    """Return whether *user* may mark *post* helpful: someone else's visible, undeleted post."""
    return (
        may_write(user)
        and not post.is_deleted
        and post.author_id != user.pk
        and can_see(user, post.thread.forum)
    )


def can_follow(user, forum) -> bool:
    """Return whether *user* may follow a thread, forum or tag in *forum*."""
    return user.is_authenticated and can_see(user, forum)
