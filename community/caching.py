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

    Also make members' cached facts stale when their roles, authenticators or addresses change.

    Editors change forums (and their audience) in the Wagtail and Django admins; both save the
    model directly, so a model signal is the one place that sees every such change.
    """
    from django.db.models.signals import post_delete, post_save

    from .models import Forum, Post, Thread

    _connect_facts_invalidation()
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
