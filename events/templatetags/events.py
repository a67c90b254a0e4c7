"""What other pages show of events: the upcoming ones a viewer may see (the home page).

The knowledge base never imports events; its home template loads this library instead.
"""

from django import template

from ..models import EventIndexPage, EventPage

register = template.Library()


@register.simple_tag
def upcoming_events(user, limit=3):
    """Return up to *limit* upcoming events *user* may see, soonest first (two queries)."""
    return list(EventPage.objects.visible_to(user).upcoming().for_cards()[:limit])


@register.simple_tag
def event_listing_url():
    """Return the address of the event listing, or "" before it exists."""
    index = EventIndexPage.objects.live().only("url_path", "path", "depth").first()
    return index.url if index else ""
