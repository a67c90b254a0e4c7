"""Forums in a real browser: start a thread, reply quoting and mentioning, follow the notification.

The same journey is done once with the mouse and once with the keyboard only, and the forum
pages pass an axe-core scan.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from community.models import Post, Thread
from tests.factories import PASSWORD, ForumFactory, UserFactory, make_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MARKDOWN = "Our rule of thumb:\n\n1. **report first**\n2. post second"


@pytest.fixture
def people(db):
    ForumFactory(name="Engagement & communication", slug="engagement")
    return UserFactory(username="mira", display_name="Mira"), UserFactory(
        username="jan", display_name="Jan"
    )


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_thread_reply_with_quote_and_mention_then_the_notification(page: Page, live_server,
                                                                     people):  # fmt: skip
    mira, jan = people
    base = live_server.url
    sign_in(page, base, mira)
    page.goto(f"{base}/forums/")
    page.get_by_role("link", name="Engagement & communication").click()
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Helicopter questions at night")
    page.get_by_label("Tags").fill("transparency")
    page.get_by_label("Your post").fill(MARKDOWN)
    page.get_by_role("button", name="Start thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helicopter questions at night")
    expect(page.locator("strong", has_text="report first")).to_be_visible()
    sign_out(page)

    sign_in(page, base, jan)
    page.goto(f"{base}{Thread.objects.get().get_absolute_url()}")
    page.get_by_role("button", name="Quote post #1").click()
    reply = page.get_by_label("Your post")
    expect(reply).to_have_value(re.compile(r"^> @mira \[wrote in post #1\]"))
    reply.press("Control+End")
    reply.press_sequentially("@mira we do the same, thanks!")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    answer = Post.objects.get(number=2)
    expect(page.locator(f"#post-{answer.pk} blockquote")).to_contain_text("report first")
    sign_out(page)

    sign_in(page, base, mira)
    page.get_by_role("link", name=re.compile(r"Notifications\s+1 unread")).click()
    page.get_by_role("link", name="Jan mentioned you in “Helicopter questions at night”").click()
    expect(page).to_have_url(
        re.compile(rf"/t/\d+/helicopter-questions-at-night/#post-{answer.pk}$")
    )
    expect(page.locator(f"#post-{answer.pk}")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()


def press_tab_until(page, locator, limit=120):
    """Move the keyboard focus with Tab until *locator* has it."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def keyboard_sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    press_tab_until(page, page.get_by_label("Email"))
    page.keyboard.type(user.email)
    press_tab_until(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def keyboard_sign_out(page):
    press_tab_until(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


def test_the_same_journey_with_the_keyboard_only(page: Page, live_server, people):
    mira, jan = people
    base = live_server.url
    keyboard_sign_in(page, base, mira)
    page.goto(f"{base}/forums/engagement/")
    press_tab_until(page, page.get_by_role("link", name="Start a thread"))
    page.keyboard.press("Enter")
    press_tab_until(page, page.get_by_label("Title"))
    page.keyboard.type("Live-sharing during demonstrations")
    press_tab_until(page, page.get_by_label("Your post"))
    page.keyboard.type("Do you **ask** streamers to hold back?")
    press_tab_until(page, page.get_by_role("button", name="Start thread"))
    page.keyboard.press("Enter")
    expect(page.locator("strong", has_text="ask")).to_be_visible()
    keyboard_sign_out(page)

    keyboard_sign_in(page, base, jan)
    page.goto(f"{base}{Thread.objects.get().get_absolute_url()}")
    press_tab_until(page, page.get_by_role("button", name="Quote post #1"))
    page.keyboard.press("Enter")
    reply = page.get_by_label("Your post")
    expect(reply).to_have_value(re.compile(r"^> @mira"))
    press_tab_until(page, reply)
    page.keyboard.press("Control+End")
    page.keyboard.type("@mira we ask once, publicly.")
    press_tab_until(page, page.get_by_role("button", name="Post reply"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    answer = Post.objects.get(number=2)
    expect(page).to_have_url(re.compile(rf"#post-{answer.pk}$"))
    keyboard_sign_out(page)

    keyboard_sign_in(page, base, mira)
    press_tab_until(page, page.get_by_role("link", name=re.compile(r"Notifications\s+1 unread")))
    page.keyboard.press("Enter")
    press_tab_until(page, page.get_by_role("link", name=re.compile("Jan mentioned you")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#post-{answer.pk}$"))
    expect(page.locator(f"#post-{answer.pk}")).to_be_in_viewport()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_forum_pages_have_no_accessibility_violations(page: Page, live_server, people, scheme,
                                                      signed_in):  # fmt: skip
    mira, jan = people
    thread = make_thread(
        ForumFactory(slug="a11y", name="Accessible forum"),
        jan,
        title="An accessible thread",
        body=MARKDOWN + "\n\n> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        tags=["testing"],
        replies=2,
    )
    if signed_in:
        sign_in(page, live_server.url, mira)
    page.emulate_media(color_scheme=scheme)
    for path in ["/forums/", "/forums/a11y/", thread.get_absolute_url()]:
        page.goto(f"{live_server.url}{path}")
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def test_deleting_a_post_asks_first(page: Page, live_server, people):
    mira, _jan = people
    thread = make_thread(author=mira, title="A thread to tidy", replies=1)
    reply = thread.posts.get(number=2)
    sign_in(page, live_server.url, mira)
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    delete = page.get_by_role("button", name="Delete post #2")

    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()
    page.wait_for_load_state("networkidle")  # a POST, had one been sent, has been answered
    expect(page.get_by_text("This post was deleted.")).to_have_count(0)
    assert not Post.objects.get(pk=reply.pk).is_deleted

    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.get_by_text("This post was deleted.")).to_be_visible()
    assert Post.objects.get(pk=reply.pk).is_deleted


QUOTE_START = re.compile(r"^My draft, half typed\n\n> @jan \[wrote in post #1\]", re.M)


def type_a_draft_and_quote(page, base, thread, *, scripts=True):
    page.goto(f"{base}{thread.get_absolute_url()}")
    if scripts:
        page.evaluate("window.notReloaded = true")  # gone if the page reloads
    reply = page.get_by_label("Your post")
    reply.fill("My draft, half typed")
    page.get_by_role("button", name="Quote post #1").click()
    return reply


def test_quote_inserts_at_the_cursor_without_a_reload(page: Page, live_server, people):
    mira, jan = people
    thread = make_thread(author=jan, title="Quote me", body="Report first.")
    sign_in(page, live_server.url, mira)
    reply = type_a_draft_and_quote(page, live_server.url, thread)
    expect(reply).to_have_value(QUOTE_START)
    expect(reply).to_have_value(re.compile(r"> Report first\.\n\n$"))
    expect(reply).to_be_focused()
    assert page.evaluate("window.notReloaded === true")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_quote_without_scripts_keeps_the_draft(browser, live_server, people):
    mira, jan = people
    thread = make_thread(author=jan, title="Quote me", body="Report first.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, mira)
    reply = type_a_draft_and_quote(page, live_server.url, thread, scripts=False)
    expect(reply).to_have_value(QUOTE_START)
    expect(reply).to_have_value(re.compile(r"> Report first\.\n\n$"))
    assert Post.objects.filter(thread=thread).count() == 1
    context.close()
