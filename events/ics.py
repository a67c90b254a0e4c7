"""iCalendar (RFC 5545) for events: one event attached to an email, or a feed of several."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def _uid(page) -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "medi4sec.local"
    return f"event-{page.pk}@{host}"


def calendar_bytes(pages, *, name: str, method: str = "") -> bytes:
    """Return an iCalendar file with one VEVENT per page of *pages*."""
    calendar = Calendar()
    calendar.add("prodid", "-//MEDI@4SEC//Community Portal//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    stamp = timezone.now().astimezone(datetime.UTC)
    for page in pages:
        event = Event()
        event.add("uid", _uid(page))
        event.add("dtstamp", stamp)
        event.add("dtstart", page.start_at.astimezone(page.zone))
        event.add("dtend", page.end_at.astimezone(page.zone))
        event.add("summary", page.title)
        event.add("description", page.summary)
        event.add("url", f"{settings.SITE_URL.rstrip('/')}{page.url or ''}")
        location = (
            "Online"
            if page.is_online
            else ", ".join(
                part for part in [page.venue, page.city, page.get_country_display()] if part
            )
        )
        event.add("location", location)
        calendar.add_component(event)
    return calendar.to_ical()
