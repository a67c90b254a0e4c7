"""Writes with side effects, as keyword-only functions named ``<entity>_<action>``.

One module per concern (forums, notifications, people, moderation, privacy, exports); the
writes of forums, notifications and people are also reachable as ``services.<function>``.
"""

from .forums import (
    forum_pages_invalidate,
    post_create,
    post_delete,
    post_edit,
    post_notify_published,
    post_quotes_redact,
    post_restore,
    post_visibility_set,
    reaction_toggle,
    tags_resolve,
    thread_create,
    thread_move,
    thread_withdrawal_set,
)
from .notifications import follow_set, notifications_mark_read, thread_mark_read
from .people import (
    MembershipError,
    VerificationError,
    group_join_request,
    group_membership_decide,
    profile_get_or_create,
    profile_update,
    verification_approve,
    verification_confirm_token,
    verification_default_until,
    verification_reject,
    verification_reminders_send,
    verification_request_confirm,
    verification_request_create,
    verification_request_from_token,
    verification_revoke,
)

__all__ = [
    "MembershipError",
    "VerificationError",
    "follow_set",
    "forum_pages_invalidate",
    "group_join_request",
    "group_membership_decide",
    "notifications_mark_read",
    "post_create",
    "post_delete",
    "post_edit",
    "post_notify_published",
    "post_quotes_redact",
    "post_restore",
    "post_visibility_set",
    "profile_get_or_create",
    "profile_update",
    "reaction_toggle",
    "tags_resolve",
    "thread_create",
    "thread_mark_read",
    "thread_move",
    "thread_withdrawal_set",
    "verification_approve",
    "verification_confirm_token",
    "verification_default_until",
    "verification_reject",
    "verification_reminders_send",
    "verification_request_confirm",
    "verification_request_create",
    "verification_request_from_token",
    "verification_revoke",
]
