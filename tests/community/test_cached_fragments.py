"""Thread pages and forum pages keep rendered posts and rows in the cache; none go stale."""

import re

import pytest

from community import services
from community.models import Profile
from tests.factories import (
    ForumFactory,
    UserFactory,
    make_staff,
    make_thread,
    make_verified,
    set_visibility,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    author = UserFactory(username="author", display_name="Ada Author")
    return make_thread(ForumFactory(audience="public"), author, body="First words.", replies=2)


def page(client, thread):
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_edit_shows_at_once(client, thread):
    client.force_login(thread.author)
    assert "First words." in page(client, thread)
    services.post_edit(editor=thread.author, post=thread.posts.get(number=1), body="Better words.")
    html = page(client, thread)
    assert "Better words." in html
    assert "First words." not in html


def test_one_members_reaction_is_not_shown_as_anothers(client, thread):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    post = thread.posts.get(number=2)
    services.reaction_toggle(user=ann, post=post)
    client.force_login(ann)
    assert 'aria-pressed="true"' in page(client, thread)
    client.force_login(bob)
    html = page(client, thread)
    assert 'aria-pressed="true"' not in html
    assert 'Helpful <span class="count">1</span>' in html


def test_a_changed_name_and_verification_show_on_old_posts(client, thread):
    client.force_login(UserFactory(username="reader"))
    assert "Ada Author" in page(client, thread)
    author = thread.author
    author.display_name = "Ada Renamed"
    author.save()
    make_verified(author)
    html = page(client, thread)
    assert "Ada Renamed" in html
    assert "Verified practitioner" in html


def test_a_hidden_profile_field_disappears_from_old_posts(client, thread):
    author = make_verified(thread.author)
    Profile.objects.filter(user=author).update(country="NL")
    set_visibility(author, country="public")
    client.force_login(UserFactory(username="reader"))
    assert "Netherlands" in page(client, thread)
    set_visibility(author, country="verified")
    assert "Netherlands" not in page(client, thread)


def test_edit_and_delete_buttons_follow_the_viewer(client, thread):
    post_url = f"/p/{thread.posts.get(number=1).pk}/"
    client.force_login(thread.author)
    assert f'href="{post_url}edit/"' in page(client, thread)
    client.force_login(UserFactory(username="stranger"))
    assert f'href="{post_url}edit/"' not in page(client, thread)
    client.force_login(make_staff())
    assert f'href="{post_url}edit/"' in page(client, thread)


def forum_page(client, forum):
    response = client.get(forum.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_thread_row_counts_new_replies_for_each_reader(client, thread):
    reader, other = UserFactory(username="reader"), UserFactory(username="other")
    client.force_login(reader)
    page(client, thread)
    assert "unread post" not in forum_page(client, thread.forum)
    services.post_create(author=other, thread=thread, body="News.")
    assert "1 unread post" in forum_page(client, thread.forum)
    client.force_login(other)
    assert "1 unread post" not in forum_page(client, thread.forum)


def test_a_thread_row_shows_the_latest_poster_and_renamed_authors(client, thread):
    client.force_login(UserFactory(username="reader"))
    assert "Started by Ada Author" in forum_page(client, thread.forum)
    services.post_create(
        author=UserFactory(username="zed", display_name="Zed"), thread=thread, body="Hi."
    )
    thread.author.display_name = "Ada Renamed"
    thread.author.save()
    html = forum_page(client, thread.forum)
    assert "Started by Ada Renamed" in html
    assert "Last post by Zed" in html


def forum_card_threads(html):
    """Return the thread count the forum card shows."""
    return int(re.search(r"<dt>Threads</dt>\s*<dd>\s*(\d+)", html).group(1))


def test_a_forum_card_shows_the_latest_thread_and_counts(client, thread):
    client.force_login(UserFactory(username="reader"))
    html = client.get("/forums/").content.decode()
    assert thread.title in html
    assert forum_card_threads(html) == 1
    make_thread(thread.forum, UserFactory(username="newer"), title="A newer thread")
    html = client.get("/forums/").content.decode()
    assert "A newer thread" in html
    assert forum_card_threads(html) == 2


def test_an_author_name_links_to_the_profile_only_for_those_who_may_open_it(client, thread):
    set_visibility(thread.author, profile="members")
    profile_link = 'href="/members/author/"'
    assert profile_link not in page(client, thread)
    assert "Ada Author" in page(client, thread)
    client.force_login(UserFactory(username="reader"))
    assert profile_link in page(client, thread)
    assert client.get("/members/author/").status_code == 200
    client.logout()
    assert client.get("/members/author/").status_code == 404


# The header's unread count is cached (caching.unread_notification_count): every change a member
# would see in it shows on the next page.


def header_count(client, path="/forums/"):
    html = client.get(path).content.decode()
    found = re.search(r'<span class="header-count">(\d+)', html)
    return int(found.group(1)) if found else 0


@pytest.fixture
def reader(client, thread):
    """A member watching *thread*, signed in, with nothing unread yet."""
    reader = UserFactory(username="reader")
    services.follow_set(user=reader, thread=thread, level="watching")
    client.force_login(reader)
    assert header_count(client) == 0
    return reader


def test_a_new_reply_counts_at_once_and_reading_it_clears_it(client, thread, reader):
    services.post_create(author=thread.author, thread=thread, body="News for watchers.")
    assert header_count(client) == 1
    assert header_count(client, thread.get_absolute_url()) == 0  # the page shows it: read
    assert header_count(client) == 0


def test_marking_all_read_clears_the_count(client, thread, reader):
    services.post_create(author=thread.author, thread=thread, body="News for watchers.")
    assert header_count(client) == 1
    client.post("/notifications/read/")
    assert header_count(client) == 0


def test_a_reply_hidden_by_a_moderator_no_longer_counts(client, thread, reader):
    from community.services.moderation import moderation_act
    from tests.factories import make_moderator

    reply = services.post_create(author=thread.author, thread=thread, body="Soon hidden.")
    assert header_count(client) == 1
    moderation_act(moderator=make_moderator(), post=reply, kind="hide", reason="Off topic.")
    assert header_count(client) == 0


def test_a_forum_closed_to_the_reader_no_longer_counts(client, thread, reader):
    services.post_create(author=thread.author, thread=thread, body="News for watchers.")
    assert header_count(client) == 1
    thread.forum.audience = "verified"
    thread.forum.save()
    assert header_count(client) == 0
    make_verified(reader)  # the reader becomes a verified practitioner: the forum opens again
    assert header_count(client) == 1


def test_opening_a_moderation_decision_clears_its_notice(client, thread):
    from community.services.moderation import moderation_act
    from tests.factories import make_moderator

    author = UserFactory(username="replier")
    reply = services.post_create(author=author, thread=thread, body="Soon hidden.")
    client.force_login(author)
    assert header_count(client) == 0
    action = moderation_act(moderator=make_moderator(), post=reply, kind="hide", reason="Spam.")
    assert header_count(client) == 1
    assert client.get(f"/moderation/decisions/{action.pk}/").status_code == 200
    assert header_count(client) == 0
