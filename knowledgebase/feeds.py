"""The Atom feed of new case studies that everyone may read."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import CaseStudyPage

FEED_LENGTH = 20


class CaseStudyFeed(Feed):
    """Public case studies only: a feed reader is an anonymous visitor."""

    feed_type = Atom1Feed
    title = _("MEDI@4SEC: new case studies")
    subtitle = _("The good, the bad and the ugly of social media in public security.")

    def get_object(self, request, *args, **kwargs):
        # The feed instance is shared between requests, so the request travels as the object.
        return request

    def link(self, request):
        return request.build_absolute_uri("/case-studies/")

    def feed_url(self, request):
        return request.build_absolute_uri()

    def items(self, request):
        items = list(
            CaseStudyPage.objects.public_only()
            .defer_streamfields()
            .order_by("-first_published_at", "-pk")[:FEED_LENGTH]
        )
        for item in items:
            item.feed_link = request.build_absolute_uri(item.get_url(request))
        return items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.feed_link

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.get_classification_display()]
