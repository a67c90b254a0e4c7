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
def close_stale_connections(**kwargs):
    """Drop database connections that broke or outlived CONN_MAX_AGE, as Django does per request."""
    from django.db import close_old_connections

    close_old_connections()
