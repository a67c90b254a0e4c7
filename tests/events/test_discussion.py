import pytest

from community.models import Forum
from tests.events.conftest import make_event
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_published_event_gets_a_discussion_in_a_forum_with_its_audience(
    django_capture_on_commit_callbacks,
):
    ForumFactory(slug="open", audience="public")
    verified_forum = ForumFactory(slug="practitioners", audience="verified")
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event("Verified workshop", audience="verified", owner=owner)
    event.refresh_from_db()
    assert event.discussion.forum == verified_forum
    assert Forum.objects.get(pk=verified_forum.pk).threads.count() == 1
