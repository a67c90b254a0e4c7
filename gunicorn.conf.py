"""Gunicorn settings, read from the environment: docker compose, `make serve` and `make bench`.

Each variable is optional; command-line options still win over this file.
"""

import os


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
# Recycle each worker after about this many requests (jitter: not all at once), so a slow leak
# cannot grow without end.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The portal logs one JSON line per request itself (medi4sec.logging); gunicorn's access log is
# off unless asked for ("-" for standard output).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
