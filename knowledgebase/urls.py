"""Routes of the knowledge base outside the page tree: the feed and the sitemap.

The library and the case studies themselves are Wagtail pages served by the page tree.
"""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .feeds import CaseStudyFeed
from .sitemaps import PublicPageSitemap

app_name = "knowledgebase"

urlpatterns = [
    path("feeds/case-studies/", CaseStudyFeed(), name="case_study_feed"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PublicPageSitemap}}, name="sitemap"),
]
