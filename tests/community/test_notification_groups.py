"""Grouped notifications: who is named, where the entry leads, what opening it marks read.

An unread entry stands for several posts of one thread (replies, mentions, quotes). It names
everyone who wrote one the reader may see, leads to the newest of them, and is read once every
post it stands for has been shown; hidden, deleted or out-of-audience posts are never named.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Forum, HiddenReason, Notification
from community.services.moderation import moderation_act
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory(username="reader", display_name="Rita", email="rita@example.eu")
    client.force_login(user)
    return user


@pytest.fixture
def people():
    return {
        name: UserFactory(username=name.lower(), display_name=name)
        for name in ["Pieter", "Mira", "Anna", "Bo", "Carl"]
    }


def post(thread, author, body="A reply."):
    return services.post_create(author=author, thread=thread, body=body)


def inbox(client):
    """Return the notifications page's entries as (text, link) pairs, newest first."""
    html = client.get("/notifications/").content.decode()
    entries = re.findall(r'<li class="notification[^"]*">(.*?)</li>', html, re.S)
    found = []
    for entry in entries:
        link = re.search(r'<a href="([^"]+)">\s*(.*?)\s*</a>', entry, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", entry).split())
        found.append((text, link.group(1) if link else None))
    return found


def test_a_second_mention_names_both_and_leads_to_the_newest_post(client, reader, people):
    thread = make_thread(title="Drones at the march")
    post(thread, people["Carl"], "An unrelated reply.")
    first = post(thread, people["Pieter"], "What do you think, @reader?")
    second = post(thread, people["Mira"], "@reader, same question.")
    [(text, link)] = inbox(client)
    assert "Pieter and Mira mentioned you in “Drones at the march” (2 times)" in text
    assert link == f"/p/{second.pk}/"
    assert first.pk != second.pk


def test_more_than_two_people_are_counted_with_plural_forms(client, reader, people):
    thread = make_thread(author=reader, title="Body cameras")
    for name in ["Pieter", "Mira", "Anna"]:
        post(thread, people[name], f"@reader from {name}")
    [(text, _link)] = [entry for entry in inbox(client) if "mentioned" in entry[0]]
    assert "Pieter, Mira and 1 other mentioned you in “Body cameras”" in text
    post(thread, people["Bo"], "@reader me too")
    post(thread, people["Pieter"], "@reader again")  # someone named already counts once
    [(text, link)] = [entry for entry in inbox(client) if "mentioned" in entry[0]]
    assert "Pieter, Mira and 2 others mentioned you in “Body cameras” (5 times)" in text
    assert link == f"/p/{thread.posts.order_by('number').last().pk}/"


def test_grouped_replies_say_how_many_and_who(client, reader, people):
    thread = make_thread(author=reader, title="Rumours after the flood")
    for name in ["Pieter", "Mira", "Anna", "Bo"]:
        last = post(thread, people[name])
    [(text, link)] = inbox(client)
    assert "4 new replies in “Rumours after the flood”, by Pieter, Mira and 2 others" in text
    assert link == f"/p/{last.pk}/"


def test_opening_it_reads_exactly_the_posts_it_stands_for(client, reader, people):
    thread = make_thread(title="A long thread", replies=2)
    post(thread, people["Pieter"], "@reader on the first page")  # post 4, page 1
    for _ in range(20):
        post(thread, people["Carl"])
    newest = post(thread, people["Mira"], "@reader on the second page")  # post 25, page 2
    other = make_thread(title="Elsewhere")
    post(other, people["Anna"], "@reader over here")

    client.get(thread.get_absolute_url())  # page 1 only: the second mention is still unseen
    mention = Notification.objects.get(thread=thread, recipient=reader)
    assert not mention.is_read

    [link] = [link for text, link in inbox(client) if "A long thread" in text]
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0] == f"{thread.get_absolute_url()}?page=2#post-{newest.pk}"
    mention.refresh_from_db()
    assert mention.is_read
    assert not Notification.objects.get(thread=other, recipient=reader).is_read

    post(thread, people["Bo"], "@reader one more")  # a new entry: the read one stays read
    newest_entry, *_older = inbox(client)
    assert newest_entry[0].startswith("Unread Bo mentioned you in “A long thread”")


@pytest.mark.parametrize("change", ["hidden", "deleted"])
def test_a_post_taken_away_is_neither_named_nor_linked(client, reader, people, change):
    thread = make_thread(title="Doxxing risk")
    first = post(thread, people["Pieter"], "@reader look")
    second = post(thread, people["Mira"], "@reader the address is ...")
    if change == "hidden":
        services.post_visibility_set(post=second, reason=HiddenReason.FLAGGED)
    else:
        services.post_delete(actor=people["Mira"], post=second)
    [(text, link)] = inbox(client)
    assert "Pieter mentioned you in “Doxxing risk”" in text
    assert "Mira" not in text
    assert "times" not in text
    assert link == f"/p/{first.pk}/"

    services.post_delete(actor=people["Pieter"], post=first)
    html = client.get("/notifications/").content.decode()
    assert "Doxxing risk" not in html
    assert 'class="header-count"' not in html


def test_moderators_see_hidden_posts_named_members_do_not(client, people):
    moderator = make_moderator("mod")
    client.force_login(moderator)
    thread = make_thread(author=moderator, title="Held back")
    post(thread, people["Pieter"])
    hidden = post(thread, people["Mira"])
    services.post_visibility_set(post=hidden, reason=HiddenReason.FLAGGED)
    [(text, link)] = inbox(client)
    assert "2 new replies in “Held back”, by Pieter and Mira" in text
    assert link == f"/p/{hidden.pk}/"


def test_a_thread_moved_out_of_the_audience_takes_its_notification_along(client, reader, people):
    thread = make_thread(title="Tactics", body="@reader see this")
    verified_only = ForumFactory(audience="verified")
    assert len(inbox(client)) == 1
    thread.forum = Forum.objects.get(pk=verified_only.pk)
    thread.save(update_fields=["forum"])
    assert inbox(client) == []
    assert 'class="header-count"' not in client.get("/notifications/").content.decode()


def test_the_email_names_everyone_by_then_and_leads_to_the_newest_post(
    django_capture_on_commit_callbacks, reader, people
):
    thread = make_thread(title="Live-streamed arrests")
    with django_capture_on_commit_callbacks() as callbacks:
        post(thread, people["Pieter"], "@reader first")
        newest = post(thread, people["Mira"], "@reader second")
        hidden = post(thread, people["Anna"], "@reader third, with a home address")
        services.post_visibility_set(post=hidden, reason=HiddenReason.FLAGGED)
    for callback in callbacks:
        callback()
    [message] = [message for message in mail.outbox if message.to == ["rita@example.eu"]]
    assert message.subject == "[MEDI@4SEC] Pieter and Mira mentioned you in “Live-streamed arrests”"
    assert f"http://127.0.0.1:8000/p/{newest.pk}/" in message.body
    assert "Anna" not in message.body + message.subject
    assert "Anna" not in message.alternatives[0].content


def test_no_email_when_every_post_was_taken_away_before_it_went_out(
    django_capture_on_commit_callbacks, reader, people
):
    thread = make_thread(title="Gone")
    with django_capture_on_commit_callbacks() as callbacks:
        only = post(thread, people["Pieter"], "@reader soon hidden")
        services.post_visibility_set(post=only, reason=HiddenReason.FLAGGED)
    for callback in callbacks:
        callback()
    assert [message for message in mail.outbox if message.to == ["rita@example.eu"]] == []


def test_an_erased_member_is_a_former_member(client, reader, people):
    thread = make_thread(author=reader, title="Old talk")
    post(thread, people["Pieter"])
    post(thread, people["Mira"])
    people["Pieter"].delete()
    [(text, _link)] = inbox(client)
    assert "2 new replies in “Old talk”, by A former member and Mira" in text


def test_the_inbox_takes_the_same_queries_for_many_grouped_entries(
    client, reader, people, django_assert_num_queries
):
    def grouped_entry(number):
        thread = make_thread(author=reader, title=f"Thread {number}")
        for name in ["Pieter", "Mira", "Anna"]:
            post(thread, people[name], "@reader hi")

    grouped_entry(0)
    client.get("/notifications/")  # what every page warms once (sessions, consent, fragments)
    with CaptureQueriesContext(connection) as one_entry:
        client.get("/notifications/")
    expected = len(one_entry)  # before the next request resets the query log
    for number in range(1, 6):
        grouped_entry(number)
    client.get("/notifications/")  # new entries: the header's cached unread count is counted anew
    with django_assert_num_queries(expected):
        response = client.get("/notifications/")
    assert response.content.decode().count("Pieter, Mira and 1 other mentioned you") == 6


def test_opening_a_moderation_notice_reads_that_notice_only(client, people):
    author = people["Pieter"]
    client.force_login(author)
    thread = make_thread(author=author, title="Raid footage", replies=2)
    post(thread, people["Mira"])  # a reply notification, unread
    moderator = make_moderator("mod")
    first, second = thread.posts.filter(number__in=[2, 3]).order_by("number")
    decisions = [
        moderation_act(moderator=moderator, post=target, kind="hide", reason="Live details.")
        for target in (first, second)
    ]
    notices = Notification.objects.filter(recipient=author, kind="moderation").order_by("pk")
    assert [notice.is_read for notice in notices] == [False, False]

    assert client.get(decisions[0].get_absolute_url()).status_code == 200
    assert [notice.is_read for notice in notices.all()] == [True, False]
    assert not Notification.objects.get(recipient=author, kind="reply").is_read
