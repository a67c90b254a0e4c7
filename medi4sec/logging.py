"""Structured logs: one JSON line per request and per Celery task, tied together by a request id.

No personal data beyond the member id: no names, emails, IP addresses or query strings.
"""

import contextvars
import json
import logging
import time
import uuid

from celery.signals import task_failure, task_postrun, task_prerun
from django.db import DatabaseError

request_id_var = contextvars.ContextVar("request_id", default="-")
_task_started: dict[str, float] = {}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object, with the fields passed in ``extra={"fields": ...}``."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


request_logger = logging.getLogger("medi4sec.request")
task_logger = logging.getLogger("medi4sec.task")


def _clean_request_id(value):
    value = (value or "")[:64]
    return value if value and all(c.isalnum() or c in "-_." for c in value) else uuid.uuid4().hex


def _member_id(request):
    """Return the signed-in member's id, or None, also when the session cannot be read.

    A view that never looked at ``request.user`` leaves it unloaded; loading it here while the
    database is down would turn the 503 already rendered into a second failure.
    """
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


class RequestLogMiddleware:
    """Give each request an id (kept from a proxy's X-Request-ID) and log it as one line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = _clean_request_id(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            request_logger.info(
                "request",
                extra={
                    "fields": {
                        "request_id": request.id,
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": _member_id(request),
                    }
                },
            )
            return response
        finally:
            request_id_var.reset(token)


@task_prerun.connect
def _task_started_at(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _log_task(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    task_logger.info(
        "task",
        extra={
            "fields": {
                "task": task.name if task else None,
                "task_id": task_id,
                "state": state,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started
                else None,
            }
        },
    )


@task_failure.connect
def _log_task_failure(task_id=None, sender=None, exception=None, **kwargs):
    task_logger.error(
        "task failed",
        extra={
            "fields": {
                "task": getattr(sender, "name", None),
                "task_id": task_id,
                "error": exception.__class__.__name__ if exception else None,
            }
        },
    )
