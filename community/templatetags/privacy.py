"""Template helpers for the privacy notice: the figures come from settings, never copied text."""

from django import template
from django.conf import settings

from community.services.privacy import document_list, retention_periods

register = template.Library()


@register.inclusion_tag("components/privacy_facts.html", takes_context=True)
def privacy_notice_facts(context):
    """Show retention periods and document versions, on the privacy notice page only."""
    request = context.get("request")
    return {
        "show": request is not None and request.path == settings.PRIVACY_NOTICE_URL,
        "periods": retention_periods(),
        "documents": document_list([]),
    }
