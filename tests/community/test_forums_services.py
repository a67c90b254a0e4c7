"""Forum services: counters, numbering, follows and grouped notifications that respect access."""

import pytest
from django.db import IntegrityError, transaction

from community import services
from community.models import (
    Follow,
    FollowLevel,
    Forum,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Thread,
)
from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db


def reply(thread, author, body="A reply."):
    return services.post_create(author=author, thread=thread, body=body)


def test_thread_create_counts_and_watches():
    forum, author = ForumFactory(), UserFactory()
    thread = make_thread(forum, author, title="Live-sharing at demonstrations", tags=["riots"])
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count, forum.last_thread) == (1, 1, thread)
    assert thread.post_count == 1
    assert thread.last_post.number == 1
    assert thread.slug == "live-sharing-at-demonstrations"
    assert list(thread.tags.names()) == ["riots"]
    assert Follow.objects.get(user=author, thread=thread).level == FollowLevel.WATCHING


def test_replies_are_numbered_and_counted():
    thread = make_thread()
    other = UserFactory()
    second, third = reply(thread, other), reply(thread, other)
    thread.refresh_from_db()
    assert (second.number, third.number) == (2, 3)
    assert (thread.post_count, thread.last_post) == (3, third)
    assert Forum.objects.get(pk=thread.forum_id).post_count == 3
    assert Follow.objects.get(user=other, thread=thread).level == FollowLevel.WATCHING


def test_ten_replies_make_one_grouped_notification():
    author, other = UserFactory(), UserFactory()
    thread = make_thread(author=author)
    replies = [reply(thread, other) for _ in range(10)]
    notification = Notification.objects.get(recipient=author)
    assert (notification.kind, notification.count, notification.post) == ("reply", 10, replies[-1])
    assert [event.post for event in notification.events.all()] == replies
    services.notifications_mark_read(user=author)
    reply(thread, other)
    assert Notification.objects.filter(recipient=author, is_read=False).count() == 1
    assert Notification.objects.filter(recipient=author).count() == 2


def test_nobody_is_notified_about_their_own_post():
    author = UserFactory()
    thread = make_thread(author=author)
    reply(thread, author, f"Adding to my own thread, @{author.username}")
    assert not Notification.objects.exists()


def test_mentions_notify_only_members_who_may_see_the_thread():
    forum = ForumFactory(audience="verified")
    outsider, staff = UserFactory(username="outsider"), UserFactory(username="boss", is_staff=True)
    thread = make_thread(forum, body="Asking @outsider and @boss")
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert Notification.objects.get(recipient=staff).kind == "mention"
    assert thread.last_post.body_html.count("/members/") == 2  # links stay: the URL is stable


def test_a_mention_beats_a_reply_and_one_post_notifies_once():
    author, other = UserFactory(username="starter"), UserFactory()
    thread = make_thread(author=author)
    reply(thread, other, "@starter what do you think?")
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("starter", "mention")
    ]


def test_quoting_notifies_the_quoted_author():
    author, quoter = UserFactory(username="quoted"), UserFactory()
    thread = make_thread(author=author, body="Our rule: report first, post second.")
    services.follow_set(user=author, thread=thread, level=FollowLevel.NORMAL)
    first = thread.last_post
    reply(
        thread,
        quoter,
        f"> @quoted [wrote in post #1](/p/{first.pk}/):\n>\n> report first\n\nAgreed.",
    )
    assert Notification.objects.get(recipient=author).kind == "quote"


def test_muting_a_thread_silences_it():
    author, other = UserFactory(username="muter"), UserFactory()
    thread = make_thread(author=author)
    services.follow_set(user=author, thread=thread, level=FollowLevel.MUTED)
    reply(thread, other, "@muter hello")
    assert not Notification.objects.exists()


def test_new_threads_notify_forum_and_tag_watchers_but_not_who_muted_the_forum():
    forum = ForumFactory()
    forum_watcher, tag_watcher, muter = UserFactory(), UserFactory(), UserFactory()
    services.follow_set(user=forum_watcher, forum=forum, level=FollowLevel.WATCHING)
    tag_thread = make_thread(forum, tags=["osint"])
    tag = tag_thread.tags.get()
    services.follow_set(user=tag_watcher, tag=tag, level=FollowLevel.WATCHING)
    services.follow_set(user=muter, tag=tag, level=FollowLevel.WATCHING)
    services.follow_set(user=muter, forum=forum, level=FollowLevel.MUTED)
    make_thread(forum, title="Second", tags=["osint"])
    recipients = set(
        Notification.objects.filter(kind="new_thread").values_list("recipient", flat=True)
    )
    assert recipients == {forum_watcher.pk, tag_watcher.pk}


def test_edit_keeps_the_old_text_and_notifies_only_new_mentions():
    author, mentioned = UserFactory(), UserFactory(username="newly")
    thread = make_thread(author=author, body="First version.")
    post = thread.last_post
    services.post_edit(editor=author, post=post, body="Second version, cc @newly.")
    services.post_edit(editor=author, post=post, body="Third version, cc @newly.")
    post.refresh_from_db()
    assert post.updated_at is not None
    assert "Third version" in post.body_html
    assert list(PostRevision.objects.values_list("body_markdown", flat=True)) == [
        "Second version, cc @newly.",
        "First version.",
    ]
    assert Notification.objects.get(recipient=mentioned).count == 1


def test_soft_delete_keeps_the_place_and_moves_the_last_post_back():
    thread = make_thread(replies=2)
    last = thread.last_post
    services.post_delete(actor=thread.author, post=last)
    thread.refresh_from_db()
    last.refresh_from_db()
    assert last.is_deleted
    assert last.deleted_at
    assert thread.post_count == 3
    assert thread.last_post.number == 2
    assert Post.objects.filter(thread=thread).count() == 3


def test_helpful_toggles_once_per_member():
    thread = make_thread()
    post, fan = thread.last_post, UserFactory()
    assert services.reaction_toggle(user=fan, post=post) is True
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert services.reaction_toggle(user=fan, post=post) is False
    post.refresh_from_db()
    assert post.helpful_count == 0
    Reaction.objects.create(post=post, user=fan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, user=fan)


def test_reading_moves_the_marker_counts_the_reader_and_reads_notifications():
    author, reader = UserFactory(), UserFactory()
    thread = make_thread(author=author)
    reply(thread, reader)
    services.thread_mark_read(user=author, thread=thread, number=2)
    services.thread_mark_read(user=author, thread=thread, number=1)
    thread.refresh_from_db()
    assert thread.reads.get(user=author).last_read_number == 2
    assert not Notification.objects.filter(recipient=author, is_read=False).exists()
    assert thread.view_count == 2  # readers: the author and the member who replied


@pytest.mark.parametrize(("audience", "has_group"), [("group", False), ("public", True)])
def test_a_forum_names_a_group_when_and_only_when_it_is_for_one(audience, has_group):
    group_forum = ForumFactory(audience="group")
    with pytest.raises(IntegrityError), transaction.atomic():
        Forum.objects.create(
            name="Broken",
            slug="broken",
            audience=audience,
            group=group_forum.group if has_group else None,
        )


def test_post_numbers_are_unique_in_a_thread():
    thread = make_thread()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(thread=thread, number=1, body_markdown="x", body_html="x")


def test_counters_never_go_negative():
    thread = make_thread()
    with pytest.raises(IntegrityError), transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(post_count=-1)


def test_tags_written_differently_but_with_one_slug_are_one_tag():
    forum, author = ForumFactory(), UserFactory()
    first = services.thread_create(
        author=author, forum=forum, title="One", body="Text.", tags=["officer-welfare"]
    )
    second = services.thread_create(
        author=author, forum=forum, title="Two", body="Text.", tags=["officer welfare", "new one"]
    )
    assert list(first.tags.all()) == [second.tags.get(slug="officer-welfare")]
    assert sorted(second.tags.values_list("slug", flat=True)) == ["new-one", "officer-welfare"]
