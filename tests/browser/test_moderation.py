"""Moderation in a real browser: a member flags with the keyboard, a moderator hides the post from
the queue, the author appeals, and another moderator overturns the decision."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from community import services
from community.models import Post
from tests.browser.session import sign_in
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def assert_accessible(page: Page):
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_flag_hide_appeal_overturn(page: Page, live_server, settings):
    settings.MODERATION_AUTO_HIDE_FLAGS = 1
    base = live_server.url
    author = UserFactory(username="pieter", display_name="Pieter")
    member = UserFactory(username="mira", display_name="Mira")
    first, second = make_moderator("tomas"), make_moderator("sofia")
    thread = make_thread(
        ForumFactory(slug="live", name="Live incidents"),
        UserFactory(),
        title="Stadium evacuation",
        replies=0,
    )
    post = services.post_create(author=author, thread=thread, body="Units gather behind gate 4.")

    sign_in(page, live_server, member)
    flag_with_the_keyboard(page, f"{base}{thread.get_absolute_url()}")
    sign_in(page, live_server, first)
    hide_from_the_queue(page, base)
    sign_in(page, live_server, author)
    appeal_once(page, base)
    sign_in(page, live_server, second)
    overturn_the_decision(page, base)
    assert not Post.objects.get(pk=post.pk).is_hidden

    sign_in(page, live_server, member)
    page.goto(f"{base}{thread.get_absolute_url()}")
    expect(page.get_by_text("Units gather behind gate 4.")).to_be_visible()


def flag_with_the_keyboard(page: Page, thread_url):
    """Flag the post with the keyboard only: it is hidden at once (one flag is enough here)."""
    page.goto(thread_url)
    flag_link = page.get_by_role("link", name="Flag post #2 for the moderators")
    flag_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flag post #2")
    assert_accessible(page)
    page.get_by_label("Sensitive operational information").focus()
    page.keyboard.press("Space")
    page.get_by_label("Note for the moderators").fill("Live positions of the units.")
    page.get_by_role("button", name="Send the flag").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("the moderators will look at this post")).to_be_visible()
    expect(page.get_by_text("Units gather behind gate 4.")).to_have_count(0)


def hide_from_the_queue(page: Page, base):
    """Find the post in the review queue and hide it, with a rule and a reason."""
    page.goto(f"{base}/forums/")
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_text("Live positions of the units.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"Review post #2")).click()
    page.get_by_label("Hide the post").check()
    page.get_by_label("Rule of the code of conduct").select_option("operational")
    page.get_by_label("Reason, sent to the member").fill("Unit positions during a live incident.")
    page.get_by_role("button", name="Apply the decision").click()
    expect(page.get_by_text("Done: Hid the post.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()


def appeal_once(page: Page, base):
    """Read why from the notification, and appeal: the form is gone afterwards."""
    page.goto(f"{base}/notifications/")
    page.get_by_role("link", name=re.compile("A moderation decision about your post")).click()
    expect(page.get_by_text("Unit positions during a live incident.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why should this decision change?").fill("The incident was over.")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_text("Your appeal is sent")).to_be_visible()
    expect(page.get_by_role("button", name="Send the appeal")).to_have_count(0)


def overturn_the_decision(page: Page, base):
    page.goto(f"{base}/moderation/")
    page.get_by_role("link", name=re.compile("Pieter appeals")).click()
    page.get_by_label("Overturn it (undo what it did)").check()
    page.get_by_label("Reason, sent to the member").fill("The incident had ended.")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("The appeal is decided")).to_be_visible()
