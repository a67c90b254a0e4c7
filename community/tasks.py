"""Periodic work of the community half: thin tasks that call a service."""

from celery import shared_task

from . import services


@shared_task
def send_verification_reminders():
    """Remind members 30 and 7 days before their practitioner verification expires."""
    return services.verification_reminders_send()
