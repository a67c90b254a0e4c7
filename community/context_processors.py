"""Template context shared by every page."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The header lists each section once it exists: a route name, or a path for Wagtail pages.
MAIN_NAV = [
    (_("Case studies"), "/case-studies/"),
    (_("Forums"), "community:forum_index"),
    (_("Members"), "community:member_list"),
    (_("Search"), "search:search"),
]


def navigation(request):
    """Return the main navigation, marking the section the request is in."""
    items = []
    for label, route in MAIN_NAV:
        try:
            url = route if route.startswith("/") else reverse(route)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "is_current": request.path.startswith(url)})
    return {"main_nav": items}


def contact(request):
    """Return the address people write to the team at (footer, policy pages)."""
    return {"contact_email": settings.CONTACT_EMAIL}
