"""A reply sent twice at the same moment (a double click, two tabs) is posted once, on PostgreSQL.

Both requests run at once in threads of their own, each with its own database connection; the
write is slowed down so that, without the lock ``community.limits.posting`` takes, both would pass
the checks before either post exists.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from community import services
from community.models import Post
from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="row locks need PostgreSQL"),
]


def test_a_double_submitted_reply_is_posted_once(monkeypatch):
    member = UserFactory(username="double-clicker")
    thread = make_thread(ForumFactory(), UserFactory(username="author"))
    original = services.post_create

    def slow_post_create(**kwargs):
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "post_create", slow_post_create)
    start, statuses = threading.Barrier(2), []

    def submit():
        client = Client()
        client.force_login(member)
        start.wait()
        try:
            url = f"/t/{thread.pk}/reply/"
            statuses.append(client.post(url, {"body": "Same words, sent twice."}).status_code)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert sorted(statuses) == [302, 429]
    assert Post.objects.filter(author=member).count() == 1
