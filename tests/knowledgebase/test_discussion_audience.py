"""A case study's discussion has exactly the case study's readers, whatever changes who they are.

The audience changes on publication (now, scheduled, a revision reverted), on unpublication, with
a view restriction, and when an editor changes a forum or a thread in an admin. After each, the
discussion is in a forum with the case study's audience, or withdrawn from members, on every
surface at once, cached anonymous pages included.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone
from wagtail.models import PageViewRestriction

from community import services
from community.models import Forum, Notification, Thread, User
from digest import content
from knowledgebase.models import CaseStudyPage
from knowledgebase.tasks import publish_scheduled_pages
from tests.factories import (
    ForumFactory,
    UserFactory,
    WorkingGroupFactory,
    backdate,
    digest_period,
    during_period,
    make_actor,
    make_case_study,
    make_moderator,
    make_staff,
    set_visibility,
)

pytestmark = pytest.mark.django_db

TITLE = "Flooded hashtag"
# Who may not see a case study narrowed to each audience, and someone who may.
OUTSIDERS = {"members": ["anonymous"], "verified": ["anonymous", "member"], "group": ["anonymous",
             "member"]}  # fmt: skip
INSIDER = {"members": "member", "verified": "verified", "group": "group_member"}


@pytest.fixture
def editor(db):
    return make_staff("editor", is_superuser=True)


@pytest.fixture
def group(db):
    return WorkingGroupFactory(name="Crowd safety", slug="crowd-safety")


@pytest.fixture
def rooms(group):
    """A forum for each restricted audience, where discussions of such case studies go."""
    return {
        "members": ForumFactory(slug="members-room", name="Members room", audience="members"),
        "verified": ForumFactory(slug="verified-room", name="Verified room", audience="verified"),
        "group": ForumFactory(slug="group-room", name="Group room", audience="group", group=group),
    }


@pytest.fixture
def publish(editor, django_capture_on_commit_callbacks):
    """Publish a case study (again) with *changes*, as an editor does, and commit."""

    def publish(page, **changes):
        page = CaseStudyPage.objects.get(pk=page.pk)
        for name, value in changes.items():
            setattr(page, name, value)
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision(user=editor).publish(user=editor)
        return CaseStudyPage.objects.get(pk=page.pk)

    return publish


@pytest.fixture
def discussed(publish, rooms):
    """A public case study, its discussion in the public forum, with a reply."""
    page = publish(make_case_study(TITLE, publish=False, tags=["floods"]))
    thread = Thread.objects.get(case_study=page)
    replier = UserFactory(username="replier")
    services.post_create(author=replier, thread=thread, body="A lantern story.")
    return page, Thread.objects.get(pk=thread.pk)


def viewer(client, actor, group):
    user = User.objects.filter(username=actor).first() or make_actor(actor, group=group)
    client.logout()
    if user:
        client.force_login(user)
    return user


def text(response):
    return response.content.decode().replace("<mark>", "").replace("</mark>", "").lower()


def surfaces(client, page, thread):
    """Return what each surface shows of the discussion (or the case study) to the client."""
    return {
        "thread page": client.get(thread.get_absolute_url()).status_code == 200,
        "post permalink": client.get(f"/p/{thread.last_post_id}/").status_code == 302,
        "forum index": TITLE in client.get("/forums/").content.decode(),
        "public forum": TITLE in client.get("/forums/case-study-discussions/").content.decode(),
        "site feed": TITLE in client.get("/feeds/forums/").content.decode(),
        "forum feed": TITLE in client.get("/feeds/forums/case-study-discussions/").content.decode(),
        "thread search": TITLE.lower() in text(client.get("/search/", {"q": "flooded"})),
        "post search": "lantern story" in text(client.get("/search/", {"q": "lantern"})),
        "tag page": client.get("/tags/floods/").status_code == 200,
        "home": TITLE in client.get("/").content.decode(),
        "sitemap": page.url in client.get("/sitemap.xml").content.decode(),
        "profile": TITLE in client.get("/members/replier/").content.decode(),
    }


@pytest.mark.parametrize("audience", ["members", "verified", "group"])
def test_narrowing_a_case_study_takes_its_discussion_off_every_surface_at_once(
    client, discussed, publish, rooms, group, audience
):
    page, thread = discussed
    set_visibility(thread.last_post.author, profile="public")
    for actor in OUTSIDERS[audience]:
        viewer(client, actor, group)
        # Seen before, and cached for visitors: the forum pages are kept whole.
        assert all(surfaces(client, page, thread).values()), actor

    page = publish(page, audience=audience, group=group if audience == "group" else None)

    for actor in OUTSIDERS[audience]:
        viewer(client, actor, group)
        shown = surfaces(client, page, thread)
        assert not any(shown.values()), (actor, shown)
    viewer(client, INSIDER[audience], group)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert TITLE in client.get(rooms[audience].get_absolute_url()).content.decode()
    assert Thread.objects.get(pk=thread.pk).forum == rooms[audience]


def test_forum_counts_and_latest_thread_follow_the_discussion(discussed, publish, rooms):
    page, thread = discussed
    public = Forum.objects.get(slug="case-study-discussions")
    assert (public.thread_count, public.post_count, public.last_thread_id) == (1, 2, thread.pk)

    publish(page, audience="members")

    public.refresh_from_db()
    rooms["members"].refresh_from_db()
    assert (public.thread_count, public.post_count, public.last_thread_id) == (0, 0, None)
    assert (rooms["members"].thread_count, rooms["members"].post_count) == (1, 2)
    assert rooms["members"].last_thread_id == thread.pk


def test_an_outsider_loses_notifications_digest_and_mentions_of_the_narrowed_discussion(
    client, discussed, publish, group
):
    page, thread = discussed
    outsider = viewer(client, "member", group)
    backdate(thread, during_period())
    services.follow_set(user=outsider, thread=thread, level="watching")
    services.post_create(author=thread.author, thread=thread, body="@member, seen this?")
    start, end = digest_period()

    def digest_titles():
        built = content.build(user=outsider, kind="weekly", period_start=start, period_end=end)
        items = built.new_threads + built.active_threads + built.watched_replies
        return {item.title for item in items}

    assert Notification.objects.filter(recipient=outsider, kind="mention").exists()
    assert TITLE in client.get("/notifications/").content.decode()
    assert TITLE in digest_titles()

    publish(page, audience="verified")

    assert TITLE not in client.get("/notifications/").content.decode()
    assert 'class="header-count"' not in client.get("/forums/").content.decode()
    assert TITLE not in digest_titles()


def test_unpublishing_withdraws_the_discussion_until_the_case_study_is_back(
    client, discussed, publish, django_capture_on_commit_callbacks
):
    page, thread = discussed
    client.get(thread.get_absolute_url())  # cached for visitors
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert client.get(thread.get_absolute_url()).status_code == 404
    assert TITLE not in client.get("/forums/").content.decode()
    assert TITLE not in client.get("/feeds/forums/").content.decode()
    client.force_login(UserFactory(username="reader"))
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert TITLE not in client.get("/search/", {"q": "flooded"}).content.decode()
    # Moderators still see it, marked as withdrawn, not as a moderation decision.
    client.force_login(make_moderator())
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Withdrawn with the case study it discusses" in html
    assert not Forum.objects.get(slug="case-study-discussions").thread_count

    publish(page)
    client.logout()
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert Forum.objects.get(slug="case-study-discussions").thread_count == 1


def test_a_thread_a_moderator_hid_stays_hidden_when_its_case_study_comes_back(
    client, discussed, publish, django_capture_on_commit_callbacks
):
    from community.services.moderation import moderation_act

    page, thread = discussed
    opening = thread.posts.get(number=1)
    moderation_act(moderator=make_moderator(), post=opening, kind="hide", reason="Off topic.")
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    publish(page)
    opening.refresh_from_db()
    assert opening.hidden_reason == "moderator"
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_deleting_a_case_study_leaves_its_discussion_withdrawn(client, discussed):
    page, thread = discussed
    CaseStudyPage.objects.get(pk=page.pk).delete()
    thread.refresh_from_db()
    assert thread.case_study_id is None
    assert thread.is_hidden
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_a_scheduled_publication_moves_the_discussion_when_it_goes_live(
    client, discussed, editor, rooms, django_capture_on_commit_callbacks
):
    page, thread = discussed
    go_live = timezone.now() + datetime.timedelta(days=1)
    page = CaseStudyPage.objects.get(pk=page.pk)
    page.audience, page.go_live_at = "members", go_live
    page.save_revision(user=editor).publish(user=editor)
    assert client.get(thread.get_absolute_url()).status_code == 200  # not yet

    with (
        time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish_scheduled_pages()
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert Thread.objects.get(pk=thread.pk).forum == rooms["members"]


def test_reverting_to_a_narrower_revision_moves_the_discussion_back(
    client, publish, editor, rooms, django_capture_on_commit_callbacks
):
    page = publish(make_case_study(TITLE, publish=False, audience="members"))
    thread = Thread.objects.get(case_study=page)
    narrow = page.live_revision
    publish(page, audience="public")
    assert client.get(thread.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        narrow.publish(user=editor, previous_revision=narrow)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert Thread.objects.get(pk=thread.pk).forum == rooms["members"]


def test_changing_the_working_group_moves_the_discussion_to_the_new_group(
    client, publish, rooms, group
):
    other = WorkingGroupFactory(name="Cyber patrol", slug="cyber-patrol")
    other_room = ForumFactory(slug="cyber-room", audience="group", group=other)
    page = publish(make_case_study(TITLE, publish=False, audience="group", group=group))
    thread = Thread.objects.get(case_study=page)
    assert thread.forum == rooms["group"]
    old_member = viewer(client, "group_member", group)
    assert client.get(thread.get_absolute_url()).status_code == 200

    publish(page, group=other)

    client.force_login(old_member)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert Thread.objects.get(pk=thread.pk).forum == other_room


def test_without_a_forum_for_the_new_audience_the_discussion_is_withdrawn_until_one_exists(
    client, discussed, publish, rooms
):
    page, thread = discussed
    rooms["verified"].delete()
    publish(page, audience="verified")
    client.force_login(make_actor("verified"))
    assert client.get(thread.get_absolute_url()).status_code == 404

    ForumFactory(slug="practitioners", audience="verified")
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert Thread.objects.get(pk=thread.pk).forum.slug == "practitioners"


def test_a_view_restriction_withdraws_the_discussion(client, discussed):
    page, thread = discussed
    restriction = PageViewRestriction.objects.create(
        page=page.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    client.force_login(UserFactory(username="reader"))
    assert client.get(thread.get_absolute_url()).status_code == 404
    restriction.delete()
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_widening_a_forum_in_the_admin_moves_out_the_discussions_it_no_longer_fits(
    client, publish, rooms
):
    page = publish(make_case_study(TITLE, publish=False, audience="members"))
    thread = Thread.objects.get(case_study=page)
    client.force_login(make_staff("admin", is_superuser=True))
    room = rooms["members"]
    response = client.post(
        f"/django-admin/community/forum/{room.pk}/change/",
        {"name": room.name, "slug": room.slug, "position": 0, "audience": "public", "group": ""},
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert TITLE not in client.get(room.get_absolute_url()).content.decode()


def test_moving_a_discussion_by_hand_cannot_open_it_wider_than_its_case_study(
    client, publish, rooms
):
    page = publish(make_case_study(TITLE, publish=False, audience="members"))
    thread = Thread.objects.get(case_study=page)
    public = Forum.objects.get(slug="case-study-discussions")
    client.force_login(make_staff("admin", is_superuser=True))
    response = client.post(
        f"/django-admin/community/thread/{thread.pk}/change/",
        {"forum": public.pk, "title": thread.title, "slug": thread.slug, "tags": "floods",
         "case_study": page.pk, "author": thread.author_id},
    )  # fmt: skip
    assert response.status_code == 302
    client.logout()
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert Thread.objects.get(pk=thread.pk).forum == rooms["members"]
    assert Forum.objects.get(pk=public.pk).thread_count == 0
