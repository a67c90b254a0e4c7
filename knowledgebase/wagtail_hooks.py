"""Wagtail admin wiring: the facet snippets and the "Review due" report for editors."""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import PageReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CaseStudyPage, Platform, Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class PlatformViewSet(SnippetViewSet):
    model = Platform
    icon = "globe"
    list_display = ["name", "slug"]
    search_fields = ["name"]


register_snippet(ThemeViewSet)
register_snippet(PlatformViewSet)


class ReviewDueView(PageReportView):
    """List the case studies the editor may change whose review date has come."""

    page_title = _("Case studies due for review")
    header_icon = "date"
    results_template_name = "knowledgebase/admin/review_due_results.html"
    index_url_name = "knowledgebase_review_due"
    index_results_url_name = "knowledgebase_review_due_results"
    list_export = [*PageReportView.list_export, "review_due", "last_reviewed"]
    export_headings = {
        **PageReportView.export_headings,
        "review_due": _("Review due"),
        "last_reviewed": _("Last reviewed"),
    }

    def get_filename(self):
        return f"case-studies-review-due-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        self.queryset = (
            CaseStudyPage.objects.filter(
                pk__in=editable.values("pk"), review_due__lte=timezone.localdate()
            )
            .defer_streamfields()
            .select_related("content_type")
            .order_by("review_due", "title")
        )
        return super().get_queryset()


@hooks.register("register_admin_urls")
def register_review_due_urls():
    view = ReviewDueView
    return [
        path("reports/review-due/", view.as_view(), name="knowledgebase_review_due"),
        path(
            "reports/review-due/results/",
            view.as_view(results_only=True),
            name="knowledgebase_review_due_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_review_due_menu_item():
    return MenuItem(
        _("Review due"),
        reverse("knowledgebase_review_due"),
        name="review-due",
        icon_name="date",
        order=650,
    )
