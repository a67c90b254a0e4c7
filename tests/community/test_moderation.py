"""Moderation: flags, the review queue, decisions the author is told about, appeals, safeguards."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from community import services
from community.models import (
    Flag,
    HiddenReason,
    ModerationAction,
    Notification,
    Post,
    Thread,
    WatchedWord,
)
from community.services import moderation
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"


@pytest.fixture
def forum(db):
    return ForumFactory(slug="tactics", audience="members")


@pytest.fixture
def author(db):
    return UserFactory(username="author", email="author@example.eu")


@pytest.fixture
def thread(forum, author):
    return make_thread(forum, author, title="Crowd control at the derby", replies=2)


@pytest.fixture
def target(thread):
    """The author's second post: the one members flag."""
    return thread.posts.get(number=2)


@pytest.fixture
def moderator(db):
    return make_moderator("moderator")


@pytest.fixture
def other_moderator(db):
    return make_moderator("second-moderator")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def flag(user, post, reason="spam", note=""):
    return client_for(user).post(f"/p/{post.pk}/flag/", {"reason": reason, "note": note})


def act(client, post, **data):
    data.setdefault("reason", "Breaks the rule on sensitive operational information.")
    data.setdefault("rule", "operational")
    return client.post(f"/moderation/posts/{post.pk}/", data)


# Flags ----------------------------------------------------------------------------------------


def test_member_flags_a_post_from_the_thread_page(client, member, target):
    client.force_login(member)
    html = client.get(target.thread.get_absolute_url()).content.decode()
    assert f'href="/p/{target.pk}/flag/"' in html
    assert client.get(f"/p/{target.pk}/flag/").status_code == 200
    response = client.post(
        f"/p/{target.pk}/flag/", {"reason": "personal_data", "note": "Names a witness."}
    )
    assert response.status_code == 302
    saved = Flag.objects.get()
    assert (saved.flagger, saved.post, saved.reason) == (member, target, "personal_data")
    assert "the moderators will look" in client.get(response.url).content.decode()


def test_no_flag_button_on_own_posts_or_for_visitors(client, author, target):
    assert (
        f"/p/{target.pk}/flag/" not in client.get(target.thread.get_absolute_url()).content.decode()
    )
    client.force_login(author)
    assert (
        f"/p/{target.pk}/flag/" not in client.get(target.thread.get_absolute_url()).content.decode()
    )
    assert flag(author, target).status_code == 403
    assert not Flag.objects.exists()


def test_second_flag_is_refused_with_a_clear_message(member, target):
    assert flag(member, target).status_code == 302
    response = flag(member, target, reason="harassment")
    assert response.status_code == 400
    assert "You flagged this post already" in response.content.decode()
    assert list(Flag.objects.values_list("reason", flat=True)) == ["spam"]


def test_flag_on_a_post_the_member_cannot_see_is_404(member):
    hidden_forum = ForumFactory(audience="verified")
    post = make_thread(hidden_forum, UserFactory()).posts.get()
    assert flag(member, post).status_code == 404
    assert not Flag.objects.exists()


def test_other_needs_a_note_and_the_form_keeps_what_was_chosen(member, target):
    response = flag(member, target, reason="other")
    assert response.status_code == 400
    html = response.content.decode()
    assert "the note is required" in html
    assert re.search(r'value="other"[^>]*checked', html)  # the choice is kept
    assert not Flag.objects.exists()


def test_members_without_a_verified_email_cannot_flag(target):
    unverified = UserFactory(verified_email=False)
    response = flag(unverified, target)
    assert response.status_code == 403
    assert "Confirm your email address" in response.content.decode()
    assert not Flag.objects.exists()


# Automatic safeguards -------------------------------------------------------------------------


def test_flags_from_enough_distinct_members_hide_the_post_pending_review(target, settings):
    settings.MODERATION_AUTO_HIDE_FLAGS = 3
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    flag(first, target)
    flag(second, target)
    flag(second, target)  # the same member again counts once
    target.refresh_from_db()
    assert not target.is_hidden
    flag(third, target)
    target.refresh_from_db()
    assert (target.is_hidden, target.hidden_reason) == (True, HiddenReason.FLAGGED)
    logged = ModerationAction.objects.get()
    assert (logged.kind, logged.moderator) == ("auto_hide", None)
    assert "3 members flagged it" in logged.reason
    thread = Thread.objects.get(pk=target.thread_id)
    assert (thread.hidden_post_count, thread.shown_post_count) == (1, 2)


def test_the_threshold_is_a_setting(target, settings):
    settings.MODERATION_AUTO_HIDE_FLAGS = 1
    flag(UserFactory(), target)
    target.refresh_from_db()
    assert target.is_hidden


def test_one_flag_from_a_moderator_hides_at_once(target, moderator):
    flag(moderator, target, reason="operational")
    target.refresh_from_db()
    assert target.is_hidden
    assert ModerationAction.objects.get().reason == "A moderator flagged it."


def test_a_hidden_opening_post_hides_the_thread_and_moves_the_counts(forum, thread, moderator):
    other = make_thread(forum, UserFactory(), title="Older thread")
    services.post_create(author=UserFactory(), thread=thread, body="A later reply.")
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count, forum.last_thread_id) == (2, 5, thread.pk)
    flag(moderator, thread.posts.get(number=1))
    forum.refresh_from_db()
    thread.refresh_from_db()
    assert thread.is_hidden
    assert (forum.thread_count, forum.post_count, forum.last_thread_id) == (1, 4, other.pk)


def test_watched_words_are_validated():
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        WatchedWord(pattern="(unclosed", kind="regex").full_clean()
    with pytest.raises(ValidationError, match="matches empty text"):
        WatchedWord(pattern="x*", kind="regex").full_clean()
    WatchedWord(pattern="staging area", kind="word").full_clean()


@pytest.mark.parametrize(
    ("pattern", "kind", "text", "held"),
    [
        ("raid", "word", "The RAID starts at six.", True),
        ("raid", "word", "She wears a braid.", False),
        ("staging area", "word", "Meet at the staging   area.", True),
        (r"gate\s*\d+", "regex", "Units wait behind Gate 4.", True),
        (r"gate\s*\d+", "regex", "The gatekeeper.", False),
    ],
)
def test_a_reply_with_a_watched_word_is_held_for_review(client, member, thread, pattern, kind,
                                                       text, held):  # fmt: skip
    WatchedWord.objects.create(pattern=pattern, kind=kind)
    client.force_login(member)
    response = client.post(f"/t/{thread.pk}/reply/", {"body": text}, follow=True)
    post = Post.objects.get(body_markdown=text)
    assert post.is_hidden is held
    assert ("held for review" in response.content.decode()) is held
    assert (text in client_for(UserFactory()).get(thread.get_absolute_url()).content.decode()) is (
        not held
    )


def test_held_posts_wait_for_a_moderator_and_notify_watchers_only_once_released(
    thread, author, member, moderator
):
    WatchedWord.objects.create(pattern="kettle", note="Live incident at the derby")
    post = services.post_create(author=member, thread=thread, body="They kettle fans at gate 4.")
    assert post.is_hidden
    assert post.hidden_reason == HiddenReason.HELD
    assert not Notification.objects.filter(recipient=author).exists()
    thread.refresh_from_db()
    assert thread.last_post.number == 3  # not the held post
    assert ModerationAction.objects.get().kind == "hold"
    queue = client_for(moderator).get(QUEUE).content.decode()
    assert "They kettle fans" in queue
    assert "Held for review" in queue

    response = act(client_for(moderator), post, action="dismiss", rule="", reason="Public info.")
    assert response.status_code == 302
    post.refresh_from_db()
    thread.refresh_from_db()
    assert not post.is_hidden
    assert thread.last_post == post
    assert Notification.objects.get(recipient=author).kind == "reply"
    assert "They kettle fans" not in client_for(moderator).get(QUEUE).content.decode()


def test_a_new_thread_with_a_watched_title_is_held(client, member, forum):
    WatchedWord.objects.create(pattern="convoy route", kind="word")
    client.force_login(member)
    response = client.post(
        f"/forums/{forum.slug}/new/",
        {"title": "Convoy route tonight", "body": "Details follow.", "tags": ""},
        follow=True,
    )
    assert "held for review" in response.content.decode()
    thread = Thread.objects.get(title="Convoy route tonight")
    assert thread.is_hidden
    forum.refresh_from_db()
    assert forum.thread_count == 0
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_an_edit_that_brings_in_a_watched_word_holds_the_post(client, author, target):
    WatchedWord.objects.create(pattern="safe house")
    client.force_login(author)
    response = client.post(
        f"/p/{target.pk}/edit/", {"body": "Meet at the safe house."}, follow=True
    )
    assert "held for review" in response.content.decode()
    target.refresh_from_db()
    assert target.hidden_reason == HiddenReason.HELD


# The review queue and decisions ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "member", "staff-less author"])
def test_moderation_pages_are_404_for_everyone_but_moderators(client, member, author, target, who):
    if who == "member":
        client.force_login(member)
    elif who != "anonymous":
        client.force_login(author)
    for url in (QUEUE, "/moderation/log/", f"/moderation/posts/{target.pk}/"):
        assert client.get(url).status_code == 404


def test_delete_edit_lock_and_warn(thread, target, author, moderator):
    mod = client_for(moderator)
    assert act(mod, target, action="edit", body="[Removed by a moderator]").status_code == 302
    target.refresh_from_db()
    assert target.body_markdown == "[Removed by a moderator]"
    assert target.revisions.get().body_markdown == "Reply 1."
    assert act(mod, target, action="lock").status_code == 302
    thread.refresh_from_db()
    assert thread.is_locked
    again = act(mod, target, action="lock")
    assert again.status_code == 400
    assert "locked already" in again.content.decode()
    assert act(mod, target, action="warn").status_code == 302
    assert act(mod, target, action="delete").status_code == 302
    target.refresh_from_db()
    assert target.is_deleted
    kinds = ModerationAction.objects.order_by("pk").values_list("kind", flat=True)
    assert list(kinds) == ["edit", "lock", "warn", "delete"]
    assert Notification.objects.filter(recipient=author, kind="moderation").count() == 4


def test_an_action_on_a_deleted_post_changes_nothing(target, author, moderator):
    services.post_delete(actor=author, post=target)
    response = act(client_for(moderator), target, action="hide", reason="Too late.")
    assert response.status_code == 400
    assert "This post was deleted" in response.content.decode()
    assert "Too late." in response.content.decode()  # the reason typed is kept
    target.refresh_from_db()
    assert not target.is_hidden
    assert not ModerationAction.objects.exists()


def test_each_decision_names_a_rule_and_edits_need_text(target, moderator):
    response = act(client_for(moderator), target, action="edit", rule="", body="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name the rule" in html
    assert "Give the new text" in html


def test_moderators_see_hidden_posts_marked_on_the_thread_page(target, moderator, member):
    services.post_visibility_set(post=target, reason=HiddenReason.MODERATOR)
    html = client_for(moderator).get(target.thread.get_absolute_url()).content.decode()
    assert "Reply 1." in html
    assert "Hidden by a moderator" in html
    assert (
        "Reply 1." not in client_for(member).get(target.thread.get_absolute_url()).content.decode()
    )


# Suspension -----------------------------------------------------------------------------------


def test_suspension_ends_sessions_and_refuses_sign_in_until_the_end_date(
    client, target, author, moderator
):
    from django.contrib.sessions.models import Session

    author_client = client_for(author)
    assert author_client.get("/settings/").status_code == 200
    other = client_for(UserFactory())
    assert Session.objects.count() == 2

    response = act(client_for(moderator), target, action="suspend", suspend_days=7)
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.suspended_until is not None
    # The author's session is gone; other members and the moderator keep theirs.
    assert Session.objects.count() == 2
    assert author_client.get("/settings/").status_code == 302
    assert other.get("/settings/").status_code == 200

    # Signing in again shows until when the suspension lasts, and ends that session too.
    client.post(
        "/accounts/login/", {"login": "author@example.eu", "password": "correct-horse-battery-42"}
    )
    response = client.get("/settings/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account is suspended" in html
    assert author.suspended_until.strftime("%Y") in html
    assert client.get("/settings/").status_code == 302


def test_suspended_members_cannot_post_react_or_flag(target, author):
    from django.utils import timezone

    from community import permissions

    author.suspended_until = timezone.now() + timezone.timedelta(days=1)
    assert not permissions.may_write(author)
    assert not permissions.can_flag(author, Post.objects.get(number=1, thread=target.thread))
    assert not permissions.can_react(author, target)
    author.suspended_until = timezone.now() - timezone.timedelta(seconds=1)
    author._may_write = True
    assert permissions.may_write(author)


def test_overturning_a_suspension_lifts_it(target, author, moderator, other_moderator):
    action = moderation.moderation_act(
        moderator=moderator, post=target, kind="suspend", rule="spam", reason="Spam.",
        suspend_days=3,
    )  # fmt: skip
    appeal = moderation.appeal_create(member=author, action=action, text="Not spam.")
    moderation.appeal_decide(moderator=other_moderator, appeal=appeal, overturn=True, reason="OK")
    author.refresh_from_db()
    assert author.suspended_until is None


@pytest.mark.parametrize("size", [1, 15])
def test_queue_costs_the_same_queries_however_many_posts_wait(
    forum, moderator, size, django_assert_num_queries
):
    # The moderator with their profile (session, roles, two-factor device, working groups and
    # the header's unread count come from the cache); the header's role queue links: the
    # permission (1) and one query for all the counts; the queue: count, posts, their open
    # flags with flaggers, neighbours, appeals.
    for number in range(size):
        thread = make_thread(forum, UserFactory(), title=f"Thread {number}", replies=2)
        flag(UserFactory(), thread.posts.get(number=2), reason="other", note=f"Note {number}")
        WatchedWord.objects.get_or_create(pattern="kettle")
        services.post_create(author=UserFactory(), thread=thread, body="kettle at gate 4")
    client = client_for(moderator)
    client.get(QUEUE)  # the first visit records the member's consent in the session
    with django_assert_num_queries(9):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count("Review post #") == min(2 * size, 20)  # one page


def test_flags_per_day_are_limited_with_a_page_that_says_when_to_retry(forum, settings):
    settings.FLAGS_PER_DAY = 2
    settings.MODERATION_AUTO_HIDE_FLAGS = 99
    flagger = UserFactory()
    posts = [make_thread(forum, UserFactory(), title=f"T{n}").posts.get() for n in range(3)]
    assert flag(flagger, posts[0]).status_code == 302
    assert flag(flagger, posts[1]).status_code == 302
    response = flag(flagger, posts[2])
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert Flag.objects.count() == 2


def test_moderators_find_the_queue_in_the_header(member, moderator):
    assert 'href="/moderation/"' in client_for(moderator).get("/forums/").content.decode()
    assert 'href="/moderation/"' not in client_for(member).get("/forums/").content.decode()


def test_with_cache_sessions_the_next_request_of_a_suspended_member_ends_the_session(
    settings, target, author, moderator
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    author_client = client_for(author)
    assert author_client.get("/settings/").status_code == 200
    moderation.moderation_act(
        moderator=moderator, post=target, kind="suspend", rule="spam", reason="Spam.",
        suspend_days=2,
    )  # fmt: skip
    response = author_client.get("/settings/")
    assert response.status_code == 403
    assert "Your account is suspended" in response.content.decode()
    assert author_client.get("/settings/").status_code == 302  # signed out
