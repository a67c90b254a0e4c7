"""Periodic work of the community half: thin tasks that call a service."""

from celery import shared_task

# The outbox module marks its tasks done when they finish (a task_postrun handler): every
# worker imports it with this module.
from . import outbox, services


@shared_task
def send_verification_reminders():
    """Remind members 30 and 7 days before their practitioner verification expires."""
    return services.verification_reminders_send()


# Privacy: exports are built in the background; retention runs every hour from beat.


@shared_task
def build_data_export(export_id):
    """Build the zip of one data export and email its link to the member."""
    from .services.exports import export_build

    export = export_build(export_id=export_id)
    return export.status if export else None


# One-off emails and the outbox (``community.outbox``, ``community.emails``).


@shared_task(bind=True, max_retries=None)
def send_email(self, kind, key, params, module=""):
    """Send the *kind* email for *key* once; wait and retry while the SMTP server is down.

    *module* defines the builder of *kind*; it is imported if this worker has not yet.
    """
    from django.conf import settings

    from . import emails

    try:
        return emails.deliver(
            kind=kind,
            key=key,
            params=params,
            module=module,
            final_attempt=self.request.retries >= settings.EMAIL_MAX_RETRIES,
        )
    except emails.EmailTemporaryFailure as error:
        if self.request.is_eager:
            raise  # in-process: the outbox keeps the task pending for the next dispatch
        raise self.retry(
            exc=error, countdown=emails.retry_countdown(self.request.retries)
        ) from error
    except emails.EmailInProgress as busy:
        if self.request.is_eager:
            raise
        raise self.retry(countdown=busy.retry_in) from busy


@shared_task
def dispatch_outbox():
    """Send outbox tasks that are still pending (the broker was down when they were queued).

    Also forget finished tasks and emails once they are old (``outbox.prune``).
    """
    outbox.prune()
    return outbox.dispatch_pending()


@shared_task
def apply_retention():
    """Erase unconfirmed accounts, old client addresses and expired exports."""
    from .services.privacy import retention_apply

    return retention_apply()
