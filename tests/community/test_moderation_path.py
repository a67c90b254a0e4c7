"""The whole moderation path: flags hide a post, a moderator decides, the author is told and
appeals, another moderator decides the appeal, and the log keeps every step."""

import pytest
from django.core import mail

from community.models import Appeal, Flag, HiddenReason, ModerationAction, Notification
from tests.community.test_moderation import QUEUE, act, client_for, flag
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return UserFactory(username="author", email="author@example.eu")


@pytest.fixture
def target(author):
    """The author's second post, between the opening post and a third one."""
    forum = ForumFactory(slug="tactics", audience="members")
    thread = make_thread(forum, author, title="Crowd control at the derby", replies=2)
    return thread.posts.get(number=2)


def test_whole_path_flag_queue_hide_notify_appeal_decided_by_another_moderator(
    settings, target, author, django_capture_on_commit_callbacks
):
    settings.MODERATION_AUTO_HIDE_FLAGS = 2
    moderator, other_moderator = make_moderator("moderator"), make_moderator("second-moderator")
    flag(UserFactory(), target, reason="operational")
    flag(UserFactory(), target, reason="other", note="Gives the time of the next raid.")
    target.refresh_from_db()
    assert target.is_hidden

    mod = client_for(moderator)
    queue_shows_the_flags_and_the_posts_around(mod)
    decision_needs_a_reason(mod, target)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(mod, target, action="hide", reason="Operational details of a live raid.")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.hidden_reason == HiddenReason.MODERATOR
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert "Nothing is waiting for review" in mod.get(QUEUE).content.decode()

    decision = author_is_told_which_rule_and_why(author)
    appeal = author_appeals_once(client_for(author), decision)
    assert "appeals" in mod.get(QUEUE).content.decode()
    another_moderator_decides_the_appeal(
        mod, client_for(other_moderator), appeal, capture=django_capture_on_commit_callbacks
    )
    target.refresh_from_db()
    assert not target.is_hidden
    assert Notification.objects.filter(recipient=author, kind="moderation").count() == 2

    # Every step is in the log, which moderators read.
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["auto_hide", "hide", "appeal_overturned"]
    log = mod.get("/moderation/log/").content.decode()
    assert "Overturned a decision on appeal" in log
    assert "Operational details of a live raid." in log


def queue_shows_the_flags_and_the_posts_around(mod):
    """The queue shows the reasons, the note, the flag count and the neighbouring posts."""
    queue = mod.get(QUEUE).content.decode()
    assert "Sensitive operational information" in queue
    assert "Gives the time of the next raid." in queue
    assert "2 flags" in queue
    assert "Reply 1." in queue  # the post, between its neighbours
    assert "Post before" in queue
    assert "The first post." in queue
    assert "Post after" in queue
    assert "Reply 2." in queue


def decision_needs_a_reason(mod, target):
    """A decision without a reason is refused; the form keeps what was typed."""
    response = act(mod, target, action="hide", reason="")
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert 'value="hide"' in response.content.decode()
    assert not ModerationAction.objects.filter(kind="hide").exists()


def author_is_told_which_rule_and_why(author):
    """The author is told in the portal and by email; return the decision they read."""
    decision = ModerationAction.objects.get(kind="hide")
    notice = Notification.objects.get(recipient=author, kind="moderation")
    assert notice.moderation_action == decision
    email = mail.outbox[-1]
    assert email.to == ["author@example.eu"]
    assert "Sensitive operational information" in email.body
    assert "Operational details of a live raid." in email.body
    assert decision.get_absolute_url() in email.body

    writer = client_for(author)
    inbox = writer.get("/notifications/").content.decode()
    assert f"/moderation/decisions/{decision.pk}/" in inbox
    page = writer.get(decision.get_absolute_url()).content.decode()
    assert "Operational details of a live raid." in page
    assert "Send the appeal" in page
    assert "Reply 1." in page  # the author sees their own hidden post here
    return decision


def author_appeals_once(writer, decision):
    """An empty appeal is refused, the first one kept, a second one refused; return it."""
    assert writer.post(decision.get_absolute_url(), {"text": ""}).status_code == 400
    response = writer.post(decision.get_absolute_url(), {"text": "The raid was over by then."})
    assert response.status_code == 302
    again = writer.post(decision.get_absolute_url(), {"text": "Please look again."})
    assert again.status_code == 400
    assert "appealed this decision already" in again.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.text == "The raid was over by then."
    return appeal


def another_moderator_decides_the_appeal(mod, other, appeal, *, capture):
    """The moderator who decided cannot decide the appeal; another one overturns it."""
    decide_url = f"/moderation/appeals/{appeal.pk}/decide/"
    own = mod.post(decide_url, {"decision": "overturn", "reason": "I was wrong."})
    assert own.status_code == 400
    assert "Another moderator decides this appeal" in own.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "pending"

    with capture(execute=True):
        response = other.post(
            decide_url,
            {"decision": "overturn", "reason": "The raid had ended; the post is history."},
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "overturned"
    assert "The raid had ended" in mail.outbox[-1].body
