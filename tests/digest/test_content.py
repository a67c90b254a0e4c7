"""What one member's digest holds: only what they may see at sending time, nothing of their own."""

import datetime

import pytest
from django.utils import timezone
from taggit.models import Tag

from community import services
from community.models import (
    Audience,
    DigestTopic,
    Follow,
    FollowLevel,
    Post,
    WorkingGroup,
    WorkingGroupMembership,
)
from digest.content import build
from digest.periods import period_for
from knowledgebase.models import Theme
from tests.factories import (
    ForumFactory,
    UserFactory,
    backdate,
    digest_period,
    during_period,
    make_case_study,
    make_staff,
    make_thread,
    make_verified,
)

pytestmark = pytest.mark.django_db

AUDIENCES = ["public", "members", "verified", "group"]
MATRIX = {
    "member": {"public", "members"},
    "verified": {"public", "members", "verified"},
    "group_member": {"public", "members", "group"},
    "staff": {"public", "members", "verified", "group"},
}


@pytest.fixture
def group(db):
    return WorkingGroup.objects.create(name="Crowd safety", slug="crowd-safety")


@pytest.fixture
def author(db):
    return UserFactory(username="author")


@pytest.fixture
def content(group, author):
    """One forum, thread and case study per audience, all written during the period."""
    when = during_period()
    found = {}
    for audience in AUDIENCES:
        forum = ForumFactory(
            slug=f"forum-{audience}",
            audience=audience,
            group=group if audience == Audience.GROUP else None,
        )
        thread = backdate(make_thread(forum, author, title=f"Thread for {audience}"), when)
        study = backdate(
            make_case_study(
                f"Study for {audience}",
                audience=audience,
                group=group if audience == Audience.GROUP else None,
                themes=["dark-web"],
            ),
            when,
        )
        found[audience] = {"forum": forum, "thread": thread, "study": study}
    return found


def viewer_for(name, group):
    if name == "staff":
        return make_staff()
    user = UserFactory(username=name)
    if name == "verified":
        make_verified(user)
    if name == "group_member":
        WorkingGroupMembership.objects.create(
            group=group, user=user, status=WorkingGroupMembership.Status.MEMBER
        )
    return user


def build_for(user, kind="weekly"):
    start, end = digest_period(kind)
    return build(user=user, kind=kind, period_start=start, period_end=end)


def titles(items):
    return {item.title for item in items}


@pytest.mark.parametrize("viewer", list(MATRIX))
def test_each_member_gets_exactly_what_they_may_see(content, group, viewer):
    built = build_for(viewer_for(viewer, group))
    expected = MATRIX[viewer]
    assert titles(built.new_threads) == {f"Thread for {audience}" for audience in expected}
    assert titles(built.case_studies) == {f"Study for {audience}" for audience in expected}
    assert {label.split(" ", 1)[1]: number for number, label in built.counts} == {
        "new case studies": len(expected),
        "new threads": len(expected),
    }


def test_verification_is_read_at_sending_time(content, group):
    user = make_verified(UserFactory(username="practitioner"))
    assert "Thread for verified" in titles(build_for(user).new_threads)
    user.profile.verified_until = timezone.localdate() - datetime.timedelta(days=1)
    user.profile.save()
    user.refresh_from_db()
    built = build_for(user)
    assert "Thread for verified" not in titles(built.new_threads)
    assert "Study for verified" not in titles(built.case_studies)


def test_leaving_a_working_group_takes_its_content_out(content, group):
    user = viewer_for("group_member", group)
    WorkingGroupMembership.objects.filter(user=user).delete()
    user = type(user).objects.get(pk=user.pk)  # a fresh object: no remembered groups
    assert "Thread for group" not in titles(build_for(user).new_threads)


def test_muted_forum_tag_thread_theme_and_classification_are_left_out(author):
    reader = UserFactory(username="reader")
    when = during_period()
    quiet = ForumFactory(slug="quiet")
    loud = ForumFactory(slug="loud")
    backdate(make_thread(quiet, author, title="In a muted forum"), when)
    backdate(make_thread(loud, author, title="With a muted tag", tags=["noise"]), when)
    muted_thread = make_thread(loud, author, title="Old muted thread")
    backdate(muted_thread, when - datetime.timedelta(days=30))
    backdate(services.post_create(author=author, thread=muted_thread, body="More."), when)
    backdate(make_thread(loud, author, title="Still shown"), when)
    backdate(make_case_study("Trolling story", classification="ugly", themes=["trolling"]), when)
    backdate(make_case_study("Ugly story", classification="ugly"), when)
    backdate(make_case_study("Good story", classification="good"), when)

    Follow.objects.create(user=reader, forum=quiet, level=FollowLevel.MUTED)
    Follow.objects.create(user=reader, tag=Tag.objects.get(name="noise"), level=FollowLevel.MUTED)
    Follow.objects.create(user=reader, thread=muted_thread, level=FollowLevel.MUTED)
    built = build_for(reader)
    assert titles(built.new_threads) == {"Still shown"}
    assert built.active_threads == []

    DigestTopic.objects.create(
        user=reader, theme=Theme.objects.get(slug="trolling"), level=FollowLevel.MUTED
    )
    assert titles(build_for(reader).case_studies) == {"Ugly story", "Good story"}
    DigestTopic.objects.create(user=reader, classification="ugly", level=FollowLevel.MUTED)
    assert titles(build_for(reader).case_studies) == {"Good story"}


def test_followed_items_come_first(author):
    reader = UserFactory(username="reader")
    when = during_period()
    favourite = ForumFactory(slug="favourite")
    other = ForumFactory(slug="other")
    backdate(make_thread(favourite, author, title="Followed forum"), when)
    for number in range(6):
        backdate(
            make_thread(other, author, title=f"Later {number}"),
            when + datetime.timedelta(hours=number + 1),
        )
    backdate(make_case_study("Followed theme", classification="bad", themes=["dark-web"]), when)
    for number in range(6):
        backdate(
            make_case_study(f"Newer study {number}", classification="good"),
            when + datetime.timedelta(hours=number + 1),
        )
    Follow.objects.create(user=reader, forum=favourite, level=FollowLevel.WATCHING)
    DigestTopic.objects.create(
        user=reader, theme=Theme.objects.get(slug="dark-web"), level=FollowLevel.WATCHING
    )
    built = build_for(reader)
    assert len(built.new_threads) == 5  # a short list...
    assert built.new_threads[0].title == "Followed forum"  # ...led by what the member follows
    assert built.new_threads[0].is_followed
    assert built.case_studies[0].title == "Followed theme"
    assert {label.split(" ", 1)[1]: n for n, label in built.counts}["new threads"] == 7


def test_a_followed_tag_is_named_only_while_the_member_may_see_something_it_carries(author):
    reader = UserFactory(username="reader")
    make_thread(ForumFactory(slug="open"), author, title="Open", tags=["osint"])
    closed = ForumFactory(slug="closed", audience="verified")
    make_thread(closed, author, title="Closed", tags=["operation nightfall"])
    for tag in Tag.objects.all():
        Follow.objects.create(user=reader, tag=tag, level=FollowLevel.WATCHING)
    assert titles(build_for(reader).followed) == {"osint"}
    make_verified(reader)
    assert titles(build_for(reader).followed) == {"osint", "operation nightfall"}


def test_nothing_written_by_the_member_and_no_deleted_posts(author):
    reader = UserFactory(username="reader")
    forum = ForumFactory()
    when = during_period()
    backdate(make_thread(forum, reader, title="My own thread"), when)
    removed = backdate(make_thread(forum, author, title="Removed opening post"), when)
    services.post_delete(actor=author, post=removed.posts.get(number=1))
    old = backdate(make_thread(forum, author, title="Older thread"), when - datetime.timedelta(30))
    backdate(services.post_create(author=reader, thread=old, body="My reply."), when)
    hidden = backdate(services.post_create(author=author, thread=old, body="Oops."), when)
    services.post_delete(actor=author, post=hidden)

    built = build_for(reader)
    assert built.new_threads == []
    assert built.active_threads == []  # only the member's own reply and a deleted one
    assert built.watched_replies == []  # the member watches it (they replied), nothing new
    assert built.is_empty

    backdate(services.post_create(author=author, thread=old, body="An answer."), when)
    built = build_for(reader)
    assert titles(built.watched_replies) == {"Older thread"}
    first_new = Post.objects.filter(thread=old, body_markdown="An answer.").get()
    assert built.watched_replies[0].url.endswith(f"/p/{first_new.pk}/")
    assert built.watched_replies[0].detail == "1 new reply"


def test_content_younger_than_the_grace_period_waits_for_the_next_digest(author, settings):
    settings.DIGEST_EDIT_GRACE_MINUTES = 15
    reader = UserFactory(username="reader")
    _start, end = digest_period()
    thread = backdate(make_thread(title="Just posted"), end - datetime.timedelta(minutes=5))
    assert titles(build_for(reader).new_threads) == set()
    following = build(
        user=reader, kind="weekly", period_start=end, period_end=end + datetime.timedelta(days=7)
    )
    assert titles(following.new_threads) == {thread.title}
    # Just before the grace: in this period, not in the next one.
    backdate(thread, end - datetime.timedelta(minutes=16))
    assert titles(build_for(reader).new_threads) == {thread.title}


def test_content_outside_the_period_is_not_new(author):
    reader = UserFactory(username="reader")
    start, _end = digest_period()
    backdate(make_thread(title="Last week's news"), start - datetime.timedelta(hours=1))
    assert build_for(reader).is_empty


def test_weekly_period_defaults_to_monday_seven_in_brussels():
    now = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)  # a Wednesday
    start, end = period_for("weekly", now)
    assert (end.weekday(), end.hour, str(end.tzinfo)) == (0, 7, "Europe/Brussels")
    assert end.date() == datetime.date(2026, 11, 23)
    assert end - start == datetime.timedelta(days=7)
    # A rerun the same week names the same period; the run at 07:00 sharp starts a new one.
    assert period_for("weekly", now + datetime.timedelta(days=4)) == (start, end)
    assert period_for("weekly", end + datetime.timedelta(days=7))[0] == end
    _daily_start, daily_end = period_for("daily", now)
    assert (daily_end.date(), daily_end.hour) == (datetime.date(2026, 11, 25), 7)


def test_building_one_digest_costs_the_same_queries_whatever_is_followed(
    author, django_assert_num_queries
):
    when = during_period()
    forums = [ForumFactory(slug=f"f{number}") for number in range(20)]
    for number, forum in enumerate(forums):
        backdate(make_thread(forum, author, title=f"T{number}", tags=[f"tag{number}"]), when)
    themes = list(Theme.objects.all()[:20])
    for number in range(3):
        backdate(make_case_study(f"Study {number}", themes=[themes[number].slug]), when)

    def follow(user, count):
        for forum in forums[:count]:
            Follow.objects.create(user=user, forum=forum, level=FollowLevel.WATCHING)
        for tag in Tag.objects.filter(name__startswith="tag")[:count]:
            Follow.objects.create(user=user, tag=tag, level=FollowLevel.MUTED)
        for theme in themes[:count]:
            DigestTopic.objects.create(user=user, theme=theme, level=FollowLevel.WATCHING)
        for thread in author.threads.all()[:count]:
            Follow.objects.create(user=user, thread=thread, level=FollowLevel.WATCHING)

    few, many = UserFactory(username="few"), UserFactory(username="many")
    follow(few, 1)
    follow(many, 20)
    build_for(UserFactory(username="warm-up"))  # Wagtail's site root paths are cached once

    # Follows, topics, working groups, Wagtail view restrictions, four sections, three counts,
    # upcoming events (their view restrictions, then the events): thirteen, whether the member
    # follows one item of each kind or twenty.
    for user in (few, many):
        user = type(user).objects.select_related("profile").get(pk=user.pk)
        with django_assert_num_queries(13):
            build_for(user)
