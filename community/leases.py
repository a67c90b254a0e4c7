"""Heartbeats: what a worker process holds stays its own while the process lives.

A task running in a worker holds rows: its outbox task (``community.outbox``) and the ledger row
it claimed before sending (``community.ledger``). Each row carries a time that says the holder
is alive (``OutboxTask.lease_until``, the ledgers' ``claimed_at``). A thread in every worker
process refreshes them every WORKER_HEARTBEAT_SECONDS while the task runs, however long it runs;
a row not refreshed for WORKER_LOST_AFTER_SECONDS belongs to a worker that died (SIGKILL, a lost
machine): the outbox dispatcher sends its task again and the ledger lets the new run take it over.

Why not a shorter Redis visibility timeout instead: Redis cannot tell a dead worker from a slow
one, so any task longer than the timeout (a big export, a slow SMTP server, a retry waiting for
its countdown) would be handed to a second worker while the first still works on it. The
heartbeat tells them apart; the visibility timeout (an hour) is only the broker's last resort.

Only processes that run tasks from a broker hold anything: in-process runs (no REDIS_URL, the
tests) have nothing running beside them that could take their work over.
"""

import logging
import os
import threading
import time
from collections.abc import Callable

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

Refresh = Callable[[type, set, object], None]

_held: dict[tuple[Refresh, type], set] = {}
_lock = threading.Lock()
_in_worker = False
_thread_pid = None


def hold(refresh: Refresh, model: type, pk) -> None:
    """Keep calling ``refresh(model, pks, now)`` for the row *pk* until the current task ends."""
    if not _in_worker:
        return
    with _lock:
        _held.setdefault((refresh, model), set()).add(pk)
    _start_thread()


def held() -> dict:
    """Return a copy of what this process holds: {(refresh, model): pks}."""
    with _lock:
        return {key: set(pks) for key, pks in _held.items() if pks}


def refresh_held() -> None:
    """Tell the database that this process still holds its rows (one UPDATE per kind of row)."""
    from django.utils import timezone

    now = timezone.now()
    for (refresh, model), pks in held().items():
        refresh(model, pks, now)


def _beat() -> None:
    while True:
        time.sleep(settings.WORKER_HEARTBEAT_SECONDS)
        if not held():
            continue
        try:
            close_old_connections()
            refresh_held()
        except Exception as error:
            # The database is away: nobody can take the work over meanwhile either.
            logger.warning("heartbeat: could not refresh held work: %r", error)
        finally:
            # One connection per busy worker process for a moment, not one held for good.
            connection.close()


def _start_thread() -> None:
    global _thread_pid
    if _thread_pid == os.getpid():
        return
    with _lock:
        if _thread_pid == os.getpid():
            return
        # A pool process forked from a parent that had a thread has none of its own.
        _thread_pid = os.getpid()
        threading.Thread(target=_beat, name="medi4sec-heartbeat", daemon=True).start()


@task_prerun.connect
def _task_started(task=None, **kwargs):
    """Note that this process runs tasks from a broker: what they hold must be refreshed."""
    global _in_worker
    if task is not None and not task.request.is_eager:
        _in_worker = True


@task_postrun.connect
def _task_ended(**kwargs):
    """Let go of everything the task held: it is settled, or its next run will claim it again."""
    with _lock:
        _held.clear()
