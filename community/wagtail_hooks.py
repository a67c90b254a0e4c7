"""Editors and moderators manage the forums in the Wagtail admin, as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Forum, PersonRequest


class ForumViewSet(SnippetViewSet):
    model = Forum
    icon = "group"
    menu_label = _("Forums")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "section", "audience", "group", "position", "thread_count"]
    list_filter = ["audience", "section"]
    search_fields = ["name", "description"]
    ordering = ["position", "name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("section"),
        FieldPanel("position"),
        FieldPanel("audience"),
        FieldPanel("group"),
    ]


register_snippet(ForumViewSet)


class PersonRequestViewSet(SnippetViewSet):
    """The editors' queue of requests from people in case studies, the earliest due first."""

    model = PersonRequest
    icon = "warning"
    menu_label = _("Requests about case studies")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["case_study", "kind", "name", "status", "due_at", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "email", "details"]
    ordering = ["due_at"]
    panels = [
        FieldPanel("case_study", read_only=True),
        FieldPanel("kind", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("details", read_only=True),
        FieldPanel("created_at", read_only=True),
        FieldPanel("due_at"),
        FieldPanel("status"),
        FieldPanel("editor_note"),
    ]


register_snippet(PersonRequestViewSet)
