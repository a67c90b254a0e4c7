"""Notification emails: one per unread entry, through the outbox, never about what was read."""

import pytest
from django.core import mail

from community import services
from community.models import EmailDelivery
from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread_with_watcher():
    ana = UserFactory(username="ana", email="ana@example.eu", display_name="Ana")
    thread = make_thread(ForumFactory(), ana, title="Drone footage at demonstrations")
    return thread, ana


def reply(django_capture_on_commit_callbacks, thread, author, body="Agreed."):
    with django_capture_on_commit_callbacks(execute=True):
        return services.post_create(author=author, thread=thread, body=body)


def test_a_reply_emails_the_watcher_once_until_they_read_the_thread(
    django_capture_on_commit_callbacks, thread_with_watcher
):
    thread, ana = thread_with_watcher
    bert = UserFactory(username="bert", display_name="Bert")
    first = reply(django_capture_on_commit_callbacks, thread, bert)
    reply(django_capture_on_commit_callbacks, thread, bert, "And another thing.")

    assert [message.to for message in mail.outbox] == [["ana@example.eu"]]
    message = mail.outbox[0]
    assert message.subject == "[MEDI@4SEC] Bert replied in “Drone footage at demonstrations”"
    assert "Bert replied in “Drone footage at demonstrations”" in message.body
    assert f"http://127.0.0.1:8000{first.get_absolute_url()}" in message.body

    services.thread_mark_read(user=ana, thread=thread, number=3)
    reply(django_capture_on_commit_callbacks, thread, bert, "A third reply.")
    assert len(mail.outbox) == 2
    assert set(EmailDelivery.objects.values_list("kind", "status")) == {("notification", "sent")}


def test_a_mention_emails_the_member_mentioned(django_capture_on_commit_callbacks):
    UserFactory(username="cleo", email="cleo@example.eu")
    thread = make_thread(ForumFactory(), UserFactory(email="starter@example.eu"))
    reply(django_capture_on_commit_callbacks, thread, UserFactory(display_name="Dan"), "@cleo ?")
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "cleo@example.eu": "[MEDI@4SEC] Dan mentioned you in “A thread”",
        "starter@example.eu": "[MEDI@4SEC] Dan replied in “A thread”",
    }


def test_a_notification_read_before_the_email_goes_out_is_not_emailed(
    django_capture_on_commit_callbacks, thread_with_watcher
):
    thread, ana = thread_with_watcher
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=UserFactory(), thread=thread, body="Seen at once.")
        services.thread_mark_read(user=ana, thread=thread, number=2)
    assert mail.outbox == []
    assert EmailDelivery.objects.get().status == "skipped"
