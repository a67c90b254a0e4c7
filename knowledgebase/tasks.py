"""Periodic work of the knowledge base."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_pages():
    """Publish pages whose go-live time has come and unpublish those that have expired."""
    call_command("publish_scheduled")
