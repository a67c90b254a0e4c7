"""Periodic work of events: reminders and the retention of declined applications."""

from celery import shared_task

from . import services


@shared_task(name="events.tasks.send_event_reminders")
def send_event_reminders():
    """Queue the week and day reminders that are due (each goes out once)."""
    return services.reminders_queue()


@shared_task(name="events.tasks.erase_declined_applications")
def erase_declined_applications():
    """Erase declined applications past their retention period."""
    return services.declined_applications_erase()
