"""The Celery application, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medi4sec.settings")

app = Celery("medi4sec")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Connect the one-JSON-line-per-task log signals.
import medi4sec.logging  # noqa: E402, F401


@task_prerun.connect
@task_postrun.connect
def close_stale_connections(task=None, **kwargs):
    """Drop database connections that broke or outlived CONN_MAX_AGE, as Django does per request.

    Not for tasks run in-process (no REDIS_URL): they share the caller's connection and
    transaction.
    """
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
