"""Periodic work of events: reminders (declined applications are erased by the community's
hourly retention run, see ``apps.py``)."""

from celery import shared_task

from . import services


@shared_task(name="events.tasks.send_event_reminders")
def send_event_reminders():
    """Queue the week and day reminders that are due (each goes out once)."""
    return services.reminders_queue()
