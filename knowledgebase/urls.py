"""Routes of the knowledge base outside the page tree: feed, sitemap, thread to case study,
requests by people in case studies.

The library and the case studies themselves are Wagtail pages served by the page tree.
"""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .feeds import CaseStudyFeed
from .sitemaps import PublicPageSitemap
from .views import case_study_from_thread, person_request, person_request_sent

app_name = "knowledgebase"

urlpatterns = [
    path("feeds/case-studies/", CaseStudyFeed(), name="case_study_feed"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PublicPageSitemap}}, name="sitemap"),
    path(
        "moderation/threads/<int:thread_id>/case-study/",
        case_study_from_thread,
        name="case_study_from_thread",
    ),
    path("requests/case-studies/<int:page_id>/", person_request, name="person_request"),
    path("requests/case-studies/sent/", person_request_sent, name="person_request_sent"),
]
