"""The access model as a leaf: named rules, a refusal reason each, the shared audience fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from community.models import Forum, Thread
from community.permissions import can_reply, has_public_feed, reply_refusal
from tests.factories import ForumFactory, UserFactory, make_staff, make_thread

pytestmark = pytest.mark.django_db


def quote_links(client, thread):
    html = client.get(thread.get_absolute_url()).content.decode()
    return html.count('name="quote"')


def test_the_quote_button_follows_the_reply_rule():
    thread = make_thread(replies=1)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    thread.refresh_from_db()
    staff, member = make_staff(), UserFactory()
    as_staff, as_member = Client(), Client()
    as_staff.force_login(staff)
    as_member.force_login(member)

    # Staff may still reply in a locked thread, so they may quote; members may do neither.
    assert can_reply(staff, thread)
    assert quote_links(as_staff, thread) == 2
    assert not can_reply(member, thread)
    assert quote_links(as_member, thread) == 0


def test_suspended_members_get_no_quote_button():
    thread = make_thread(replies=1)
    member = UserFactory()
    member.suspended_until = timezone.now() + datetime.timedelta(days=3)
    assert not can_reply(member, thread)
    from community.fragments import post_context

    post = thread.posts.select_related("thread__forum", "author").first()
    assert post_context(post, viewer=member, page={"number": 1})["may"]["quote"] is False


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("visitor", "Sign in to reply."),
        ("suspended", "Your account is suspended"),
        ("unverified", "Confirm your email address"),
        ("locked", "This thread is locked"),
        ("allowed", None),
    ],
)
def test_each_refusal_to_reply_has_its_own_reason(case, reason):
    from django.contrib.auth.models import AnonymousUser

    thread = make_thread()
    user = {
        "visitor": AnonymousUser(),
        "suspended": UserFactory(suspended_until=timezone.now() + datetime.timedelta(days=1)),
        "unverified": UserFactory(verified_email=False),
        "locked": UserFactory(),
        "allowed": UserFactory(),
    }[case]
    if case == "locked":
        thread.is_locked = True
    refusal = reply_refusal(user, thread)
    assert (refusal is None) if reason is None else str(refusal).startswith(reason)


def test_the_thread_page_says_why_a_member_may_not_reply():
    thread = make_thread()
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    client = Client()
    client.force_login(UserFactory())
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "This thread is locked: it takes no new replies." in html


def test_only_forums_everyone_may_read_have_a_feed():
    public, members = ForumFactory(audience="public"), ForumFactory(audience="members")
    assert has_public_feed(public)
    assert not has_public_feed(members)
    html = Client().get(public.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in html


@pytest.mark.parametrize("model", ["forum", "case_study"])
def test_one_audience_rule_for_forums_and_case_studies(model):
    from tests.factories import make_case_study

    obj = ForumFactory(audience="members") if model == "forum" else make_case_study()
    obj.audience = "group"
    with pytest.raises(ValidationError) as refused:
        obj.clean()
    assert "Choose the working group that may see this." in str(refused.value)
    table = Forum if model == "forum" else type(obj)
    with pytest.raises(IntegrityError), transaction.atomic():
        table.objects.filter(pk=obj.pk).update(audience="group")
