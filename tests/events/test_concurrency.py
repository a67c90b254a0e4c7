"""Two members apply at once for the last place: one gets it, the other waits (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from events import services
from events.models import Application
from tests.events.conftest import make_event
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_capacity_holds_under_concurrent_applications():
    event = make_event(registration_mode="open", capacity=1)
    members = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    errors = []

    def apply(member):
        try:
            barrier.wait()
            services.application_create(
                event=event, member=member, motivation="", stakeholder_type="citizen"
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "waitlisted"]
