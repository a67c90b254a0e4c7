"""Gunicorn settings, read from the environment: docker compose, `make serve` and `make bench`.

Each variable is optional; command-line options still win over this file.
"""

import fcntl
import os
import sys
import tempfile
import time
from pathlib import Path


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes times threads = requests served at once. Pages are mostly database-bound, so a few
# threads per process help; one process per core (plus one) is the usual start.
workers = _int("GUNICORN_WORKERS", os.environ.get("WEB_CONCURRENCY", 2))
threads = _int("GUNICORN_THREADS", 2)
# A request taking longer than this is killed (and logged); the reverse proxy's timeout should be
# a little longer, so the portal, not the proxy, decides.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Shorter than the reverse proxy's upstream keep-alive, so gunicorn never closes a connection the
# proxy is about to reuse.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after about this many requests, so a slow leak cannot grow without end.
# A worker that is booting serves nothing for a second or two (it imports the whole portal), so
# two workers must never recycle together: the jitter spreads the limits over half of it
# again, and ``post_request`` below lets a worker go only when no other worker of this server
# went in the last RECYCLE_GAP_SECONDS (longer than a boot); a worker over its limit that must
# wait simply serves on and asks again after its next request.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 2)
RECYCLE_GAP_SECONDS = _int("GUNICORN_RECYCLE_GAP_SECONDS", 30)
# The portal logs one JSON line per request itself (medi4sec.logging); gunicorn's access log is
# off unless asked for ("-" for standard output).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """Take over gunicorn's own max_requests check: the worker recycles through post_request."""
    worker.recycle_after = worker.max_requests
    worker.max_requests = sys.maxsize


def post_request(worker, req, environ, resp):
    """Let a worker over its request limit recycle, one worker at a time."""
    if worker.nr >= worker.recycle_after and worker.alive and _recycle_slot_taken(worker):
        worker.log.info("Recycling worker after %s requests.", worker.nr)
        worker.alive = False


def _recycle_slot_taken(worker):
    """Return whether no worker of this server recycled within RECYCLE_GAP_SECONDS; note it."""
    path = Path(worker_tmp_dir or tempfile.gettempdir()) / f"gunicorn-recycle-{worker.ppid}"
    with open(path, "a+") as slot:
        fcntl.flock(slot, fcntl.LOCK_EX)
        slot.seek(0)
        last = float(slot.read() or 0)
        now = time.time()
        if now - last < RECYCLE_GAP_SECONDS:
            return False
        slot.seek(0)
        slot.truncate()
        slot.write(str(now))
        return True
