"""A page a visitor caches while a forum is being closed is dropped when the change commits.

Saving the forum moves the anonymous page cache to a new version at once, but until the change
commits every other connection still reads the public forum: a visitor arriving in between
renders the old page and caches it under the new version. Runs on PostgreSQL, with the visitor's
request in a thread of its own, on its own connection.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from tests.factories import ForumFactory, make_thread

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs a second connection that waits"),
]


def visit(url):
    """Return the status of an anonymous visit to *url* made on another connection."""
    statuses = []

    def get():
        try:
            statuses.append(Client().get(url).status_code)
        finally:
            connection.close()

    worker = threading.Thread(target=get)
    worker.start()
    worker.join(timeout=30)
    return statuses[0]


def test_a_page_cached_while_a_forum_is_closed_is_dropped_on_commit(client):
    forum = ForumFactory(slug="open-room")
    thread = make_thread(forum, title="Soon for members only")
    url = thread.get_absolute_url()
    with transaction.atomic():
        forum.audience = "members"
        forum.save()
        assert visit(url) == 200  # not committed yet: the visitor still reads a public forum
    assert client.get(url).status_code == 404
    assert b"Soon for members only" not in client.get("/forums/").content
