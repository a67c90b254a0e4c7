"""Receivers of the signals Wagtail publishes about event pages."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import EventPage


@receiver(page_published, sender=EventPage)
def discussion_follows_publication(sender, instance, revision=None, **kwargs):
    """Give an event its discussion from its first publication on, with the event's audience."""
    from .services import event_discussion_sync

    author = (revision.user if revision is not None else None) or instance.owner
    transaction.on_commit(lambda: event_discussion_sync(page=instance, author=author))
