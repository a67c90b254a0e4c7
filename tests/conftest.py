import os

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests and
# by the live server around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def _serialized_contents(django_db_setup, django_db_blocker):
    """What each test database held after its migrations (for tests with serialized rollback)."""
    from django.db import connections

    with django_db_blocker.unblock():
        return {
            alias: connections[alias]._test_serialized_contents
            for alias in connections
            if hasattr(connections[alias], "_test_serialized_contents")
        }


@pytest.fixture
def _serialized_contents_on_this_connection(_serialized_contents):
    from django.db import connections

    for alias, contents in _serialized_contents.items():
        connections[alias]._test_serialized_contents = contents


@pytest.fixture
def _django_db_helper(_serialized_contents_on_this_connection, _django_db_helper):
    """pytest-django's database helper, on a connection that knows the migrations' rows.

    Playwright's sync API leaves an event loop running in the test thread; Django then keeps its
    connections per context instead of per thread, so a browser test's connection is not the one
    the test database was set up (and its rows serialized) on: a browser test that ran after a
    test without a browser met an empty database once the first flush had emptied it.
    """


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with empty rate-limit counters and caches."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Run Celery tasks in the test's process, even with REDIS_URL set.

    Only the reliability tests start a real worker; elsewhere a queued task would wait in a
    Redis nobody reads.
    """
    from community import outbox
    from medi4sec.celery import app

    outbox.broker_recovered()
    if request.node.get_closest_marker("reliability"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def member(db):
    from tests.factories import UserFactory

    return UserFactory(username="member", email="member@example.eu")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash passwords cheaply in tests; production keeps Django's default PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_celery():
    """Run tasks in-process, also when REDIS_URL points the suite at a real broker."""
    from celery.signals import task_postrun, task_prerun

    from medi4sec.celery import app as celery_app
    from medi4sec.celery import close_stale_connections

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # The per-task connection clean-up would close the connection the test's transaction uses.
    task_prerun.disconnect(close_stale_connections)
    task_postrun.disconnect(close_stale_connections)
    yield
    task_prerun.connect(close_stale_connections)
    task_postrun.connect(close_stale_connections)
    celery_app.conf.task_always_eager = previous
