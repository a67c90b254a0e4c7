"""The one access rule on every forum surface: every actor, surface and audience.

A forum, thread or post a member may not see answers 404, exactly like one that does not exist,
and leaves no trace in listings, counts, tag filters, feeds or notifications.
"""

import datetime

import pytest
from django.utils import timezone

from community import services
from community.models import Follow, Notification, WorkingGroupMembership
from community.services.moderation import moderation_act
from tests.factories import (
    ACCESS_MATRIX,
    AUDIENCES,
    VISIBLE_AUDIENCES,
    ForumFactory,
    as_told,
    make_actor,
    make_moderator,
    make_staff,
    make_thread,
    narrow_after_publication,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["as created", "narrowed after publication"])
def world(request, client, django_capture_on_commit_callbacks):
    """One forum per audience, each with a thread of two posts, tagged "shared-tag" and
    "only-<audience>"."""
    author = make_staff("author")
    narrowed = request.param == "narrowed after publication"
    forums, threads = {}, {}
    for audience in AUDIENCES:
        forums[audience] = ForumFactory(
            name=f"Forum for {audience}",
            slug=f"forum-{audience}",
            audience="public" if narrowed else audience,
        )
        threads[audience] = make_thread(
            forums["public" if narrowed else audience],
            author,
            title=f"Secret-ish thread for {audience}",
            tags=["shared-tag", f"only-{audience}"],
            replies=1,
        )
    if narrowed:
        narrow_after_publication(
            client, django_capture_on_commit_callbacks, forums=forums, threads=threads
        )
    return {"forums": forums, "threads": threads, "author": author}


def actor_user(actor, world):
    return make_actor(actor, group=world["forums"]["group"].group)


@pytest.fixture
def as_actor(client, world):
    def sign_in(actor):
        user = actor_user(actor, world)
        if user:
            client.force_login(user)
        return user

    return sign_in


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_forum_index_lists_only_visible_forums_and_their_counts(client, world, as_actor, actor,
                                                                 audience):  # fmt: skip
    as_actor(actor)
    html = client.get("/forums/").content.decode()
    visible = audience in VISIBLE_AUDIENCES[actor]
    assert (f"Forum for {audience}" in html) is visible
    assert (f"Secret-ish thread for {audience}" in html) is visible


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_forum_page_is_404_unless_visible(client, world, as_actor, actor, audience):
    as_actor(actor)
    response = client.get(f"/forums/forum-{audience}/")
    assert response.status_code == (200 if audience in VISIBLE_AUDIENCES[actor] else 404)


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_thread_page_is_404_unless_visible(client, world, as_actor, actor, audience):
    as_actor(actor)
    thread = world["threads"][audience]
    response = client.get(thread.get_absolute_url())
    assert response.status_code == (200 if audience in VISIBLE_AUDIENCES[actor] else 404)
    if response.status_code == 404:
        assert thread.title.encode() not in response.content


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_post_permalink_is_404_unless_visible(client, world, as_actor, actor, audience):
    as_actor(actor)
    post = world["threads"][audience].last_post
    response = client.get(f"/p/{post.pk}/")
    if audience in VISIBLE_AUDIENCES[actor]:
        assert response.status_code == 302
        assert response.url.endswith(f"#post-{post.pk}")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_feeds_carry_public_forums_only_whoever_asks(client, world, as_actor, actor, audience):
    as_actor(actor)
    site_feed = client.get("/feeds/forums/").content.decode()
    assert (f"Secret-ish thread for {audience}" in site_feed) is (audience == "public")
    response = client.get(f"/feeds/forums/forum-{audience}/")
    assert response.status_code == (200 if audience == "public" else 404)


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_tag_filter_shows_only_visible_threads(client, world, as_actor, actor, audience):
    as_actor(actor)
    response = client.get(f"/forums/forum-{audience}/?tag=shared-tag")
    if audience in VISIBLE_AUDIENCES[actor]:
        assert f"Secret-ish thread for {audience}".encode() in response.content
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_moderator_edited_post_history_keeps_the_removed_text_for_moderators(
    client, world, as_actor, actor, audience
):
    post = world["threads"][audience].last_post
    services.post_edit(editor=world["author"], post=post, body="Reply 1. Removed-marker.")
    moderation_act(moderator=make_moderator(), post=post, kind="edit", rule="personal_data",
                   reason="Reason-marker.", body="Reply 1.")  # fmt: skip
    as_actor(actor)
    response = client.get(f"/p/{post.pk}/history/")
    html = response.content.decode()
    if audience not in VISIBLE_AUDIENCES[actor]:
        assert response.status_code == 404
        assert "Reason-marker" not in html
    else:
        assert "Reason-marker." in html
        assert ("Removed-marker" in html) is (actor == "staff")


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_tag_filter_treats_a_tag_on_nothing_visible_as_missing(client, world, as_actor, actor,
                                                               audience):  # fmt: skip
    as_actor(actor)
    response = client.get(f"/forums/forum-public/?tag=only-{audience}")
    if audience in VISIBLE_AUDIENCES[actor]:
        assert response.status_code == 200
        assert f"tagged “only-{audience}”".encode() in response.content
    else:
        missing = client.get("/forums/forum-public/?tag=no-such-tag")
        assert as_told(response, f"only-{audience}") == as_told(missing, "no-such-tag")
        assert missing.status_code == 404


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_tag_follow_treats_a_tag_on_nothing_visible_as_missing(client, world, as_actor, actor,
                                                               audience):  # fmt: skip
    user = as_actor(actor)
    response = client.post(f"/tags/only-{audience}/follow/", {"level": "watching"})
    if user and audience in VISIBLE_AUDIENCES[actor]:
        assert response.status_code == 302
        assert Follow.objects.filter(user=user, tag__slug=f"only-{audience}").exists()
    else:
        missing = client.post("/tags/no-such-tag/follow/", {"level": "watching"})
        assert as_told(response, f"only-{audience}") == as_told(missing, "no-such-tag")
        assert not Follow.objects.filter(tag__slug=f"only-{audience}").exists()


@pytest.mark.parametrize(("actor", "audience"), [m for m in ACCESS_MATRIX if m[0] != "anonymous"])
def test_notifications_and_header_count_only_for_visible_threads(client, world, as_actor, actor,
                                                                 audience):  # fmt: skip
    user = as_actor(actor)
    thread = world["threads"][audience]
    notification = Notification.objects.create(
        recipient=user, kind="reply", thread=thread, post=thread.last_post, actor=world["author"]
    )
    notification.events.create(post=thread.last_post, actor=world["author"])
    html = client.get("/notifications/").content.decode()
    visible = audience in VISIBLE_AUDIENCES[actor]
    assert (thread.title in html) is visible
    assert ('class="header-count"' in html) is visible


def test_losing_verification_closes_the_forum_on_the_next_request(client, world, as_actor):
    user = as_actor("verified")
    url = world["threads"]["verified"].get_absolute_url()
    assert client.get(url).status_code == 200
    user.profile.verified_until = timezone.localdate() - datetime.timedelta(days=1)
    user.profile.save()
    assert client.get(url).status_code == 404


def test_leaving_a_working_group_closes_its_forum(client, world, as_actor):
    user = as_actor("group_member")
    url = world["threads"]["group"].get_absolute_url()
    assert client.get(url).status_code == 200
    WorkingGroupMembership.objects.filter(user=user).delete()
    assert client.get(url).status_code == 404
