"""Editors see in the Wagtail admin what people searched for in vain, as a snippet."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import UnansweredSearch


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
