"""Abuse limits: new accounts, the same text twice, reactions per day; each with time travel."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from community import limits
from community.models import Flag, Post, Reaction, Thread
from tests.factories import ForumFactory, UserFactory, make_staff, make_thread, make_verified

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def forum():
    return ForumFactory(name="Engagement", slug="engagement")


@pytest.fixture
def newcomer(clock, client):
    """A member who signed up a moment ago (email confirmed, not a verified practitioner)."""
    user = UserFactory(username="newcomer", date_joined=timezone.now())
    client.force_login(user)
    return user


def start_thread(client, title, body, forum="engagement"):
    return client.post(
        reverse("community:thread_create", args=[forum]), {"title": title, "body": body}
    )


def reply(client, thread, body):
    return client.post(reverse("community:post_create", args=[thread.pk]), {"body": body})


def test_a_new_account_starts_three_threads_on_its_first_day(client, newcomer, forum, clock):
    for number in range(3):
        assert start_thread(client, f"Topic {number}", f"Body {number}").status_code == 302
        clock.shift(datetime.timedelta(minutes=5))

    response = start_thread(client, "A fourth topic", "Typed with care, kept on refusal.")

    assert response.status_code == 429
    # The first day ends 24 hours after sign-up, 15 minutes from now.
    assert response.headers["Retry-After"] == str(24 * 3600 - 15 * 60)
    page = response.content.decode()
    assert "new members start at most 3 threads a day" in page
    assert "Try again in 24 hours." in page
    assert 'value="A fourth topic"' in page
    assert "Typed with care, kept on refusal." in page
    assert Thread.objects.count() == 3

    clock.shift(datetime.timedelta(hours=24) - datetime.timedelta(minutes=15))
    assert start_thread(client, "A fourth topic", "Now it is fine.").status_code == 302


def test_the_limits_end_early_once_the_member_is_a_verified_practitioner(client, newcomer, forum):
    assert start_thread(client, "Topic 1", "Body 1").status_code == 302
    assert start_thread(client, "Topic 2", "Body 2").status_code == 429
    make_verified(newcomer)
    assert not limits.is_new_account(newcomer)
    for number in range(2, 6):
        assert start_thread(client, f"Topic {number}", f"Body {number}").status_code == 302


def test_new_account_replies_per_day(client, newcomer, forum, clock, settings):
    settings.NEW_ACCOUNT_REPLIES_PER_DAY = 2
    thread = make_thread(forum, title="Helicopters")
    for number in range(2):
        assert reply(client, thread, f"Reply {number}").status_code == 302
        clock.shift(datetime.timedelta(hours=2))

    response = reply(client, thread, "A third reply I do not want to lose.")

    assert response.status_code == 429
    # The first reply leaves the 24-hour window 20 hours from now.
    assert response.headers["Retry-After"] == str(20 * 3600)
    assert "new members write at most 2 replies a day" in response.content.decode()
    assert "A third reply I do not want to lose." in response.content.decode()
    assert Post.objects.filter(author=newcomer).count() == 2

    clock.shift(datetime.timedelta(hours=20))
    assert reply(client, thread, "A third reply I do not want to lose.").status_code == 302


def test_new_accounts_wait_between_two_posts(client, newcomer, forum, clock):
    thread = make_thread(forum, title="Helicopters")
    assert reply(client, thread, "First thought.").status_code == 302
    clock.shift(datetime.timedelta(seconds=20))

    response = reply(client, thread, "Second thought.")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    assert "New members wait 60 seconds between two posts." in response.content.decode()
    assert "Second thought." in response.content.decode()
    # Starting a thread counts as a post too.
    assert start_thread(client, "Elsewhere", "Second thought.").status_code == 429

    clock.shift(datetime.timedelta(seconds=40))
    assert reply(client, thread, "Second thought.").status_code == 302


def test_established_members_have_no_new_account_limits(client, forum):
    member = UserFactory(username="old-hand")
    client.force_login(member)
    thread = make_thread(forum)
    for number in range(25):
        assert reply(client, thread, f"Reply {number}").status_code == 302
    for number in range(4):
        assert start_thread(client, f"Topic {number}", f"Body {number}").status_code == 302


def test_moderators_are_never_new(client, forum):
    staff = make_staff(date_joined=timezone.now())
    client.force_login(staff)
    thread = make_thread(forum)
    assert reply(client, thread, "One.").status_code == 302
    assert reply(client, thread, "Two.").status_code == 302


def test_the_same_text_twice_within_minutes_is_refused_for_everyone(client, forum, clock):
    member = UserFactory(username="old-hand")
    client.force_login(member)
    first = make_thread(forum, title="First")
    second = make_thread(forum, title="Second")
    assert reply(client, first, "Buy cheap followers now").status_code == 302
    clock.shift(datetime.timedelta(minutes=3))

    response = reply(client, second, "Buy cheap followers now")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(7 * 60)
    assert "You posted exactly this text a few minutes ago" in response.content.decode()
    assert start_thread(client, "Third", "Buy cheap followers now").status_code == 429
    # Other text is fine at once.
    assert reply(client, second, "Something else entirely").status_code == 302

    clock.shift(datetime.timedelta(minutes=7))
    assert reply(client, second, "Buy cheap followers now").status_code == 302


def test_a_deleted_post_may_be_posted_again_at_once(client, forum):
    member = UserFactory(username="old-hand")
    client.force_login(member)
    thread = make_thread(forum)
    reply(client, thread, "With a typo")
    post = Post.objects.get(author=member)
    client.post(reverse("community:post_delete", args=[post.pk]))
    assert reply(client, thread, "With a typo").status_code == 302


LINKS = "See https://a.example, [b](https://b.example) and <https://c.example>."


def test_links_per_post_are_a_form_error_for_new_accounts(client, newcomer, forum):
    thread = make_thread(forum)
    response = reply(client, thread, LINKS)
    assert response.status_code == 400
    page = response.content.decode()
    assert "New members can put at most 2 links to other sites in a post; this one has 3." in page
    assert "See https://a.example" in page
    assert not Post.objects.filter(author=newcomer).exists()
    # Links inside the portal (a quoted post, a mention) do not count.
    local = "See /p/1/, [this](/t/1/x/), @member and https://a.example"
    assert reply(client, thread, local).status_code == 302

    response = start_thread(client, "Links", LINKS)
    assert response.status_code == 400
    assert 'value="Links"' in response.content.decode()


def test_mentions_per_post_are_a_form_error_for_new_accounts(client, newcomer, forum, clock):
    thread = make_thread(forum)
    response = reply(client, thread, "@ana @ben @carla @dirk look")
    assert response.status_code == 400
    assert "New members can mention at most 3 members in a post; this one mentions 4." in (
        response.content.decode()
    )
    assert reply(client, thread, "@ana @ben @carla look").status_code == 302
    # Still on the last minute of the first day; verification lifts it at once.
    clock.shift(datetime.timedelta(hours=23, minutes=59))
    assert reply(client, thread, "@ana @ben @carla @dirk look").status_code == 400
    make_verified(newcomer)
    assert reply(client, thread, "@ana @ben @carla @dirk look").status_code == 302


def test_an_edit_cannot_add_the_links_a_new_account_may_not_post(client, newcomer, forum, clock):
    thread = make_thread(forum)
    reply(client, thread, "Harmless")
    post = Post.objects.get(author=newcomer)
    response = client.post(reverse("community:post_edit", args=[post.pk]), {"body": LINKS})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.body_markdown == "Harmless"


def test_established_members_post_many_links(client, forum):
    client.force_login(UserFactory(username="old-hand"))
    assert reply(client, make_thread(forum), LINKS + " @a @b @c @d").status_code == 302


def test_the_first_day_ends_after_24_hours(client, newcomer, forum, clock):
    thread = make_thread(forum)
    assert reply(client, thread, LINKS).status_code == 400
    clock.shift(datetime.timedelta(hours=24, seconds=1))
    assert not limits.is_new_account(newcomer)
    assert reply(client, thread, LINKS).status_code == 302


def test_limits_count_from_the_database_not_the_cache(client, newcomer, forum, clock, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    thread = make_thread(forum)
    assert reply(client, thread, "One.").status_code == 302
    cache.clear()
    assert reply(client, thread, "Two.").status_code == 429


@pytest.fixture
def posts(forum):
    author = UserFactory(username="author")
    thread = make_thread(forum, author=author, replies=4)
    return list(thread.posts.order_by("number"))


def react(client, post):
    return client.post(reverse("community:reaction_toggle", args=[post.pk]))


def test_reactions_per_day_for_everyone(client, posts, clock, settings):
    settings.REACTIONS_PER_DAY = 3
    client.force_login(UserFactory(username="old-hand"))
    for post in posts[:3]:
        assert react(client, post).status_code == 302
        clock.shift(datetime.timedelta(hours=1))

    response = react(client, posts[3])

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(21 * 3600)
    page = response.content.decode()
    assert "You can mark at most 3 posts helpful a day." in page
    assert "Try again in 21 hours." in page
    assert f'href="/t/{posts[3].thread_id}/' in page
    assert Reaction.objects.count() == 3
    # Taking a mark back is always possible.
    assert react(client, posts[0]).status_code == 302
    assert Reaction.objects.count() == 2

    clock.shift(datetime.timedelta(hours=21))
    assert react(client, posts[3]).status_code == 302


def test_flags_per_day_for_everyone_keep_the_note(client, posts, clock, settings):
    settings.FLAGS_PER_DAY = 2
    settings.MODERATION_AUTO_HIDE_FLAGS = 99
    client.force_login(UserFactory(username="old-hand"))
    for post in posts[:2]:
        response = client.post(reverse("community:post_flag", args=[post.pk]), {"reason": "spam"})
        assert response.status_code == 302
        clock.shift(datetime.timedelta(hours=3))

    note = "Posted the same advert in five forums; see the first one."
    flag_url = reverse("community:post_flag", args=[posts[2].pk])
    response = client.post(flag_url, {"reason": "other", "note": note})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(18 * 3600)
    page = response.content.decode()
    assert "You can flag at most 2 posts a day" in page
    assert "Try again in 18 hours." in page
    assert note in page
    assert Flag.objects.count() == 2

    clock.shift(datetime.timedelta(hours=18))
    assert client.post(flag_url, {"reason": "other", "note": note}).status_code == 302
    assert Flag.objects.count() == 3
