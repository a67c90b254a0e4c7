"""Whole-page caching of forum pages for anonymous visitors, and the facts asked about members.

Visitors who are not signed in can only ever see public forums, so the page for one URL is the
same for all of them. It is kept under a version number that every change to forum content
(services) or to a forum's audience (admin, snippets) increases, so a stale page is never served.
Pages are stored with a placeholder for the CSP nonce, which is filled in on every response.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

VERSION_KEY = "forums:version"
NONCE_PLACEHOLDER = "__CSP_NONCE__"
TIMEOUT = 10 * 60


def version() -> int:
    """Return the current content version (starting at 1)."""
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump(**_kwargs) -> None:
    """Invalidate every cached page by moving to a new content version."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _cacheable(request) -> bool:
    # A session or a messages cookie may carry something for this visitor alone.
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"forums:page:{version()}:{digest}"


def cache_page_for_visitors(view):
    """Serve *view*'s successful pages to anonymous visitors from the cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        nonce = str(request._csp_nonce) if hasattr(request, "_csp_nonce") else ""
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(
                content.replace(NONCE_PLACEHOLDER, nonce), content_type=content_type
            )
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            content = response.content.decode()
            if nonce:
                content = content.replace(nonce, NONCE_PLACEHOLDER)
            cache.set(key, (content, response["Content-Type"]), TIMEOUT)
        return response

    return wrapper


def bump_now_and_on_commit(**_kwargs) -> None:
    """Invalidate cached pages now and again once the current transaction commits.

    A visitor whose request falls between the two still reads the old rows, and would cache
    the old page under the new version: the second bump drops it.
    """
    bump()
    transaction.on_commit(bump)


FACTS_VERSION_KEY = "member-facts:version"
FACTS_TIMEOUT = 24 * 60 * 60


def facts_bump(**_kwargs) -> None:
    """Make every member's cached facts stale (a role, an authenticator or an address changed)."""
    try:
        cache.incr(FACTS_VERSION_KEY)
    except ValueError:
        cache.set(FACTS_VERSION_KEY, 1, timeout=None)


def facts_bump_now_and_on_commit(**_kwargs) -> None:
    facts_bump()
    transaction.on_commit(facts_bump)


def member_facts(user) -> dict:
    """Return what every request asks about signed-in *user*: roles, TOTP, address, groups.

    One cache read instead of three queries. The entry carries the facts version it was computed
    under; the version is read before the database, and moves after every change commits, so an
    entry computed from rows older than a change is never taken for current.
    """
    key = f"member-facts:{user.pk}"
    found = cache.get_many([FACTS_VERSION_KEY, key])
    version = found.get(FACTS_VERSION_KEY, 0)
    entry = found.get(key)
    if entry is None or entry[0] != version:
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        from .models import WorkingGroupMembership

        facts = {
            "role_names": frozenset(user.groups.values_list("name", flat=True)),
            "has_totp": Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists(),
            "has_verified_email": EmailAddress.objects.filter(user=user, verified=True).exists(),
            "working_group_ids": frozenset(
                WorkingGroupMembership.objects.filter(
                    user=user, status=WorkingGroupMembership.Status.MEMBER
                ).values_list("group_id", flat=True)
            ),
        }
        entry = (version, facts)
        cache.set(key, entry, FACTS_TIMEOUT)
    return entry[1]


NOTIFICATIONS_VERSION_KEY = "notifications:version"


def notifications_bump(**_kwargs) -> None:
    """Make every cached unread count stale (a notification was added, read or removed)."""
    try:
        cache.incr(NOTIFICATIONS_VERSION_KEY)
    except ValueError:
        cache.set(NOTIFICATIONS_VERSION_KEY, 2, timeout=None)


def notifications_bump_now_and_on_commit(**_kwargs) -> None:
    notifications_bump()
    transaction.on_commit(notifications_bump)


def unread_notification_count(user) -> int:
    """Return how many unread notifications *user* has about what they may see, cached.

    The count depends on the member's notifications (``notifications_bump``), on the posts and
    forums they stand for (the forum content version) and on what the member may see (audience,
    moderator): all of them are in the key, so no entry outlives what it counted. The versions
    are read before the database, as for pages.
    """
    from .models import Notification
    from .permissions import can_see_hidden, is_verified_practitioner, working_group_ids

    found = cache.get_many([VERSION_KEY, NOTIFICATIONS_VERSION_KEY])
    material = (
        found.get(VERSION_KEY) or version(),
        found.get(NOTIFICATIONS_VERSION_KEY)
        or cache.get_or_set(NOTIFICATIONS_VERSION_KEY, 1, None),
        user.is_active,
        user.is_staff,
        is_verified_practitioner(user),
        sorted(working_group_ids(user)),
        can_see_hidden(user),
    )
    digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
    key = f"unread:{user.pk}:{digest}"
    count = cache.get(key)
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        cache.set(key, count, FACTS_TIMEOUT)
    return count


def _connect_notifications_invalidation():
    from django.db.models.signals import post_delete, post_save

    from .models import Notification, NotificationEvent
    from .querysets import notifications_updated

    # Marking read is a bulk UPDATE, which sends no post_save: the queryset says so itself.
    notifications_updated.connect(
        notifications_bump_now_and_on_commit, dispatch_uid="unread-notifications-update"
    )
    for model in (Notification, NotificationEvent):
        for signal in (post_save, post_delete):
            signal.connect(
                notifications_bump_now_and_on_commit,
                sender=model,
                dispatch_uid=f"unread-{model.__name__}-{signal is post_save}",
            )


def _connect_facts_invalidation():
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import User, WorkingGroup, WorkingGroupMembership

    # group.members.add() writes memberships without post_save: m2m_changed sees it.
    for through in (User.groups.through, WorkingGroup.members.through):
        m2m_changed.connect(
            facts_bump_now_and_on_commit,
            sender=through,
            dispatch_uid=f"facts-{through.__name__}",
        )
    for model in (Group, Authenticator, EmailAddress, WorkingGroupMembership):
        for signal in (post_save, post_delete):
            signal.connect(
                facts_bump_now_and_on_commit,
                sender=model,
                dispatch_uid=f"facts-{model.__name__}-{signal is post_save}",
            )


def connect_invalidation():
    """Invalidate cached pages when forums, threads or posts change outside the services.

    Also make members' cached facts stale when their roles, authenticators or addresses change,
    and their cached unread counts when notifications change.

    Editors change forums (and their audience) in the Wagtail and Django admins; both save the
    model directly, so a model signal is the one place that sees every such change.
    """
    from django.db.models.signals import post_delete, post_save

    from .models import Forum, Post, Thread

    _connect_facts_invalidation()
    _connect_notifications_invalidation()
    for model in (Forum, Thread, Post):
        post_save.connect(
            bump_now_and_on_commit,
            sender=model,
            dispatch_uid=f"forums-cache-{model.__name__}-save",
        )
        post_delete.connect(
            bump_now_and_on_commit,
            sender=model,
            dispatch_uid=f"forums-cache-{model.__name__}-delete",
        )
