"""Editors and moderators manage the forums in the Wagtail admin, as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Forum, UnansweredSearch


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


class UnansweredSearchViewSet(SnippetViewSet):
    """What people searched for in vain: a list to act on (write a case study, pin one)."""

    model = UnansweredSearch
    icon = "search"
    menu_label = _("Searches without results")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["query", "count", "last_searched_on"]
    list_export = ["query", "count", "last_searched_on"]
    search_fields = ["query"]
    ordering = ["-count", "-last_searched_on", "query"]
    inspect_view_enabled = True


register_snippet(UnansweredSearchViewSet)
