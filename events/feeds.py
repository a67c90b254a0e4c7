"""The Atom feed of public upcoming events."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import EventIndexPage, EventPage

FEED_ITEMS = 30


class UpcomingEventsFeed(Feed):
    feed_type = Atom1Feed
    title = _("MEDI@4SEC: upcoming events")
    subtitle = _("Workshops, webinars, conferences and exercises open to everyone.")

    def link(self):
        index = EventIndexPage.objects.live().first()
        return index.url if index else "/"

    def items(self):
        return EventPage.objects.public_only().upcoming().defer_streamfields()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at
