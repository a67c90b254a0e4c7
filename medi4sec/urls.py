"""Root URL configuration: the community, the accounts, both admins and the Wagtail page tree."""

import re

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from community.views import media as media_views
from community.views import people as people_views
from community.views import site as site_views
from knowledgebase import views as kb_views

handler400 = "community.views.site.bad_request"
handler403 = "community.views.site.permission_denied"
handler404 = "community.views.site.page_not_found"
handler500 = "community.views.site.server_error"
handler429 = "community.views.site.too_many_requests"

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("readyz", site_views.readyz, name="readyz"),
    # Both admin sites sign in through allauth, so its rate limits and two-factor step apply.
    path("django-admin/login/", LoginView.as_view(), name="django_admin_login"),
    path("admin/login/", LoginView.as_view(), name="wagtail_admin_login"),
    # Before Wagtail's own suggestions, which name every tag, even those on restricted threads.
    path("admin/tag-autocomplete/", kb_views.tag_autocomplete),
    path("admin/tag-autocomplete/<slug:app_name>/<slug:model_name>/", kb_views.tag_autocomplete),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # allauth's own page, but a link used before says so rather than "expired or invalid".
    path("accounts/confirm-email/<str:key>/", people_views.email_confirm),
    path("accounts/", include("allauth.urls")),
    path("", include("community.urls")),
    path("", include("search.urls")),
    path("", include("digest.urls")),
    path("", include("knowledgebase.urls")),
    path("", include("events.urls")),
]

if settings.SERVE_MEDIA:
    # Uploads, with headers that keep them from running as pages (community.views.media).
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", media_views.media_serve))

# Wagtail serves the page tree (home, case studies, standard pages) last.
urlpatterns.append(path("", include(wagtail_urls)))
