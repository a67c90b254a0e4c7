"""Template helpers for the forums: the permission predicates as filters, and small URL helpers.

Templates ask the same predicates as views (``permissions``), never a rule of their own.
"""

from django import template
from django.utils.safestring import mark_safe

from community import caching, permissions
from community.markdown import member_profile_url, mentions_resolve

register = template.Library()


@register.filter
def mentions(html, linkable):
    """Show stored *html* with links for the mentions of *linkable* usernames only."""
    return mark_safe(mentions_resolve(html, linkable or ()))  # noqa: S308 - stored sanitised


@register.filter
def can_edit_post(user, post):
    return permissions.can_edit_post(user, post)


@register.filter
def can_delete_post(user, post):
    return permissions.can_delete_post(user, post)


@register.filter
def can_react(user, post):
    return permissions.can_react(user, post)


@register.filter
def can_flag(user, post):
    return permissions.can_flag(user, post)


@register.filter
def has_public_feed(forum):
    return permissions.has_public_feed(forum)


@register.filter
def is_moderator(user):
    return permissions.is_moderator(user)


@register.filter
def has_reacted(post):
    """Return whether the member the page is for marked *post* helpful (``for_page``)."""
    return bool(getattr(post, "has_reacted", False))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """Return the current query string with *changes* applied (``None`` removes a key)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


@register.simple_tag(takes_context=True)
def unread_notification_count(context):
    """Return the signed-in member's unread notifications about threads they may see (cached)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notification_count"):
        request._unread_notification_count = caching.unread_notification_count(request.user)
    return request._unread_notification_count


@register.filter
def profile_url(user):
    """Return the stable URL of *user*'s public profile (``/members/<username>/``)."""
    return member_profile_url(user.username)
