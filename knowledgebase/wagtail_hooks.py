"""Wagtail wiring: the facet snippets, the "Review due" report for editors, the review's record,
restricted documents, and the 404 that restricted pages and documents answer to whoever may not
see them."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import PublishMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import PageReportView
from wagtail.documents import get_document_model
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .documents import MOVE_REFUSED, moves_out_of_restriction
from .models import CaseStudyPage, Platform, ReviewedPageMixin, Theme
from .review import PUBLISH_WITHOUT_REVIEW


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


def hide_unless_accepted(restricted, request):
    """Answer 404 unless *request* passes every privacy restriction on *restricted* (a page or a
    document's collection).

    Wagtail would send the visitor to the log-in page (or show a password form), which says that
    something is there; the portal answers content a viewer may not see exactly like content
    that does not exist.
    """
    restrictions = restricted.get_view_restrictions()
    if not all(restriction.accept_request(request) for restriction in restrictions):
        raise Http404
    # Wagtail's own check comes next (it adds the no-cache headers): hand it the restrictions
    # already read instead of querying them again.
    restricted.get_view_restrictions = lambda: restrictions


@hooks.register("before_serve_page")
def hide_private_pages(page, request, serve_args, serve_kwargs):
    hide_unless_accepted(page, request)


# Before Wagtail's own check, which would answer with a log-in redirect.
@hooks.register("before_serve_document", order=-1)
def hide_private_documents(document, request):
    hide_unless_accepted(document.collection, request)


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    actions.register_action(
        PUBLISH_WITHOUT_REVIEW,
        _("Publish without review"),
        _("Published without the review workflow"),
    )


class PublishWithoutReviewMenuItem(PublishMenuItem):
    """The site administrator's Publish, named for what it does to the review."""

    label = _("Publish without review")


@hooks.register("construct_page_action_menu")
def name_the_review_bypass(menu_items, request, context):
    page = context.get("page") or context.get("parent_page")
    if not isinstance(page, ReviewedPageMixin):
        return
    for position, item in enumerate(menu_items):
        if item.name == PublishMenuItem.name:
            menu_items[position] = PublishWithoutReviewMenuItem(order=item.order)


@hooks.register("before_bulk_action")
def keep_restricted_documents_in_place(request, action_type, objects, action):
    """Refuse "Add to collection" for documents it would take out of a restricted collection."""
    if action_type != "add_to_collection" or action.model is not get_document_model():
        return None
    collection = action.cleaned_form.cleaned_data["collection"]
    if not any(moves_out_of_restriction(request.user, doc, collection) for doc in objects):
        return None
    messages.error(request, MOVE_REFUSED)
    return redirect(action.next_url)
