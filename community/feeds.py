"""Atom feeds of the latest threads: site-wide and per forum, public forums only.

Feed readers never sign in, so the feeds are built for an anonymous visitor: the same
``visible_to`` rule as the pages, and 404 for a forum that is not public.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Forum, Thread

FEED_ITEMS = 30
VISITOR = AnonymousUser()


class LatestThreadsFeed(Feed):
    feed_type = Atom1Feed
    title = _("MEDI@4SEC: latest threads")
    subtitle = _("New threads in the public forums of the MEDI@4SEC Community Portal.")

    def link(self):
        return reverse("community:forum_index")

    def threads(self):
        return Thread.objects.visible_to(VISITOR).select_related("author", "forum")

    def items(self):
        return self.threads().order_by("-created_at", "-pk")[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return _("A thread in %(forum)s.") % {"forum": item.forum.name}

    def item_author_name(self, item):
        return item.author.get_display_name() if item.author else None

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.last_activity_at

    def item_categories(self, item):
        return [item.forum.name]


class ForumThreadsFeed(LatestThreadsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Forum.objects.visible_to(VISITOR), slug=slug)

    def title(self, obj):
        return _("MEDI@4SEC: latest threads in %(forum)s") % {"forum": obj.name}

    def subtitle(self, obj):
        return obj.description

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.threads().filter(forum=obj).order_by("-created_at", "-pk")[:FEED_ITEMS]
