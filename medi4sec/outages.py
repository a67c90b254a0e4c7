"""Dependencies this process found out of reach: one warning when an outage starts, one line when
it ends.

A database, cache or broker that cannot be reached is an outage, not a bug: logged at ERROR on
every request and every probe, it buries everything else (hundreds of lines for half a minute of
Redis restarting). The details go to the log once, at WARNING, with how long it lasted once it is
over. The state is per process: with several gunicorn workers (or Celery workers), each logs the
start and the end of an outage it meets, once.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)

_down_since: dict[str, float] = {}
_lock = threading.Lock()


def report_down(name: str, error: BaseException, *, consequence: str = "") -> None:
    """Record that *name* failed with *error*; log a warning only when an outage starts."""
    with _lock:
        starts = name not in _down_since
        if starts:
            _down_since[name] = time.monotonic()
    detail = f"{error.__class__.__name__}: {error}".strip()
    if starts:
        suffix = f"; {consequence}" if consequence else ""
        logger.warning("%s unavailable (%s)%s", name, detail, suffix)
    else:
        logger.debug("%s still unavailable (%s)", name, detail)


def report_up(name: str) -> None:
    """Record that *name* answered; log once that an outage of it ended."""
    with _lock:
        since = _down_since.pop(name, None)
    if since is not None:
        logger.info("%s available again after %.1f s", name, time.monotonic() - since)


def is_down(name: str) -> bool:
    """Return whether this process saw *name* fail and not answer since."""
    return name in _down_since


# SQLSTATEs that say the server cannot be talked to (class 08: connection exceptions; 57P01-03:
# shutting down, crashed, starting up), rather than refusing one statement: a deadlock or a
# timeout is a failure of its own, logged as an error each time it happens.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_database_unreachable(error: BaseException) -> bool:
    """Return whether the database *error* (OperationalError, InterfaceError) means an outage.

    Errors raised before the server answered (connection refused, closed, timed out) carry no
    SQLSTATE; SQLite's never do, so every SQLite OperationalError counts as one.
    """
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return not sqlstate or sqlstate.startswith(UNREACHABLE_SQLSTATES)


def database_connected(sender, connection, **kwargs) -> None:
    """End a database outage when a new connection opens (``connection_created`` receiver)."""
    report_up("database")
