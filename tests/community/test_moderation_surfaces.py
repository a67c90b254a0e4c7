"""A hidden post (and a thread whose opening post is hidden) is on no surface a member meets.

Each surface is checked twice: with the content shown (it is there, so the check can see it)
and hidden (it is gone). Moderators still see hidden posts, marked.
"""

import pytest
from django.test import Client

from community import services
from community.models import Follow, FollowLevel, HiddenReason, Post, Thread
from digest import content
from tests.factories import (
    ForumFactory,
    UserFactory,
    backdate,
    digest_period,
    during_period,
    make_moderator,
    make_thread,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db):
    """A public forum with an open thread whose reply is flagged, and a flagged new thread."""
    forum = ForumFactory(slug="public-forum", name="Public forum")
    viewer = UserFactory(username="viewer")
    writer = UserFactory(username="writer")
    Follow.objects.create(user=viewer, forum=forum, level=FollowLevel.WATCHING)
    when = during_period()
    open_thread = backdate(make_thread(forum, UserFactory(), title="Open thread"), when)
    Follow.objects.create(user=viewer, thread=open_thread, level=FollowLevel.WATCHING)
    reply = services.post_create(
        author=writer, thread=open_thread, body="Reply-marker with details @viewer"
    )
    backdate(reply, when)
    flagged = make_thread(forum, writer, title="Thread-marker", body="Opening of the flagged one.")
    backdate(flagged, when)
    return {
        "forum": forum,
        "viewer": viewer,
        "writer": writer,
        "open_thread": open_thread,
        "reply": reply,
        "flagged_thread": flagged,
        "opening": flagged.posts.get(number=1),
    }


def hide(scene):
    for post in (scene["reply"], scene["opening"]):
        services.post_visibility_set(post=Post.objects.get(pk=post.pk), reason=HiddenReason.FLAGGED)


def page(client, url):
    response = client.get(url)
    return response.content.decode() if response.status_code == 200 else ""


def thread_page(client, scene):
    return page(client, scene["open_thread"].get_absolute_url())


def reply_permalink(client, scene):
    response = client.get(f"/p/{scene['reply'].pk}/", follow=True)
    return "Reply-marker" if response.status_code == 200 else ""


def flagged_thread_page(client, scene):
    return page(client, scene["flagged_thread"].get_absolute_url())


def forum_listing(client, scene):
    html = page(client, "/forums/public-forum/")
    # The open thread's reply count: "1" (its reply shown) or "0" (hidden, not counted).
    return html + ("Reply-marker" if ">\n                1\n" in html else "")


def forum_index(client, scene):
    html = page(client, "/forums/")
    forum = scene["forum"]
    forum.refresh_from_db()
    # The forum's post count: 3 shown (2 + 1), 1 once the reply and the flagged thread are hidden.
    return html + ("Reply-marker" if forum.post_count == 3 else "")


def home_page(client, scene):
    return page(client, "/")


def feed(client, scene):
    return page(client, "/feeds/forums/") + page(client, "/feeds/forums/public-forum/")


def notifications(client, scene):
    html = page(client, "/notifications/")
    # The mention leads to the reply's permalink; the new thread is named by its title.
    return html.replace(f"/p/{scene['reply'].pk}/", "Reply-marker")


def profile_activity(client, scene):
    return page(client, "/members/writer/").replace(f"/p/{scene['reply'].pk}/", "Reply-marker")


def member_digest(client, scene):
    start, end = digest_period()
    built = content.build(user=scene["viewer"], kind="weekly", period_start=start, period_end=end)
    titles = [item.title for item in built.new_threads]
    replies = [label for _number, label in built.counts if "repl" in label]
    return " ".join(titles) + (" Reply-marker" if replies else "")


def visible_querysets(client, scene):
    """What search (and every other listing) is built from: ``visible_to(user)``."""
    viewer = scene["viewer"]
    posts = Post.objects.visible_to(viewer).values_list("body_markdown", flat=True)
    threads = Thread.objects.visible_to(viewer).values_list("title", flat=True)
    return " ".join([*posts, *threads])


SURFACES = {
    thread_page: ["Reply-marker"],
    reply_permalink: ["Reply-marker"],
    flagged_thread_page: ["Thread-marker"],
    forum_listing: ["Thread-marker", "Reply-marker"],
    forum_index: ["Reply-marker"],
    home_page: ["Thread-marker"],
    feed: ["Thread-marker"],
    notifications: ["Thread-marker", "Reply-marker"],
    profile_activity: ["Thread-marker", "Reply-marker"],
    member_digest: ["Thread-marker", "Reply-marker"],
    visible_querysets: ["Thread-marker", "Reply-marker"],
}


@pytest.mark.parametrize("hidden", [False, True], ids=["shown", "hidden"])
@pytest.mark.parametrize("surface", list(SURFACES), ids=lambda surface: surface.__name__)
def test_hidden_content_is_on_no_surface_for_members(scene, surface, hidden):
    if hidden:
        hide(scene)
    client = Client()
    client.force_login(scene["viewer"])
    seen = surface(client, scene)
    for marker in SURFACES[surface]:
        assert (marker in seen) is not hidden, marker


def test_visitors_do_not_see_hidden_content_either(client, scene):
    hide(scene)
    assert "Reply-marker" not in thread_page(client, scene)
    assert client.get(scene["flagged_thread"].get_absolute_url()).status_code == 404
    assert "Thread-marker" not in page(client, "/forums/public-forum/")
    assert "Thread-marker" not in feed(client, scene)


def test_moderators_see_hidden_content_marked_but_not_in_their_digest(scene):
    hide(scene)
    moderator = make_moderator()
    client = Client()
    client.force_login(moderator)
    html = thread_page(client, scene)
    assert "Reply-marker" in html
    assert "Hidden pending review" in html
    thread_html = flagged_thread_page(client, scene)
    assert "Thread-marker" in thread_html
    assert "Hidden: its opening post is hidden" in thread_html
    listing = page(client, "/forums/public-forum/")
    assert "Thread-marker" in listing
    assert 'badge--hidden">Hidden<' in listing
    Follow.objects.create(user=moderator, forum=scene["forum"], level=FollowLevel.WATCHING)
    start, end = digest_period()
    built = content.build(user=moderator, kind="weekly", period_start=start, period_end=end)
    assert "Thread-marker" not in [item.title for item in built.new_threads]
