"""Wagtail hooks of events: an event's documents follow the event's audience."""

from django.http import Http404
from wagtail import hooks

from .models import EventDocument, EventPage


@hooks.register("before_serve_document")
def hide_documents_of_hidden_events(document, request):
    """Answer 404 for the slides of events the viewer may not see, like for the event itself.

    The collection's privacy is checked first (``knowledgebase.wagtail_hooks``); a document
    attached to events is served only to those who may see one of them.
    """
    attached = EventDocument.objects.filter(document=document)
    if not attached.exists():
        return
    if not attached.filter(page__in=EventPage.objects.visible_to(request.user)).exists():
        raise Http404
