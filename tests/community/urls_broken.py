import psycopg
from django.db import OperationalError
from django.urls import path


def boom(request):
    raise RuntimeError("deliberate failure")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed")


def database_deadlock(request):
    """Fail as PostgreSQL does when it breaks a deadlock: the server is there, one query lost."""
    cause = psycopg.errors.DeadlockDetected("deadlock detected")
    raise OperationalError("deadlock detected") from cause


urlpatterns = [
    path("boom/", boom),
    path("database-gone/", database_gone),
    path("database-deadlock/", database_deadlock),
]
handler500 = "community.views.site.server_error"
