"""The header in a real browser: one row on a desktop, a compact "Menu" disclosure on a phone that
works from the keyboard, and links to the queues of a member's roles with what waits in them."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from tests.browser.session import sign_in
from tests.factories import UserFactory, make_moderator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def assert_accessible(page: Page):
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def every_role():
    """Return a moderator who also verifies: the widest signed-in header there is."""
    user = make_moderator("tomas", display_name="Tomas Novak")
    user.groups.add(Group.objects.get(name="Verifiers"))
    return user


def header_height(page: Page):
    return page.locator(".site-header").bounding_box()["height"]


def expanded(page: Page, name):
    """Return the expanded state Chromium gives assistive technology for the control *name*."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    for node in tree:
        if node.get("name", {}).get("value") == name and not node.get("ignored"):
            states = {prop["name"]: prop["value"]["value"] for prop in node.get("properties", [])}
            if "expanded" in states:
                return states["expanded"]
    raise AssertionError(f"no expandable control named {name!r}")


def assert_one_row(page: Page):
    """Assert that every item the header shows sits on one row, and the header stays low."""
    boxes = page.eval_on_selector_all(
        ".brand, .site-nav li, .header-search, .account-nav > *",
        """items => items.map(item => item.getBoundingClientRect())
            .filter(box => box.width > 0)
            .map(box => [Math.round(box.top), Math.round(box.bottom)])""",
    )
    tops = [top for top, _bottom in boxes]
    assert max(tops) - min(tops) < 24, f"the header wraps: item tops {tops}"
    assert max(bottom for _top, bottom in boxes) <= page.viewport_size["height"]
    assert header_height(page) < 80


@pytest.mark.parametrize("who", ["moderator who verifies", "member"])
def test_the_signed_in_desktop_header_is_one_row(page: Page, live_server, who):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, every_role() if who != "member" else UserFactory(username="mira"))
    page.goto(f"{live_server.url}/forums/")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    if who == "member":
        expect(page.get_by_role("search", name="Site")).to_be_visible()
    else:
        expect(page.get_by_role("link", name="Review queue")).to_be_visible()
        expect(page.get_by_role("link", name="Verification queue")).to_be_visible()
    assert_one_row(page)
    assert_accessible(page)


def test_the_phone_header_is_compact_and_its_menu_works_from_the_keyboard(page: Page, live_server):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, UserFactory(username="mira"))
    page.goto(f"{live_server.url}/forums/")
    assert header_height(page) < 80
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    assert expanded(page, "Menu") is False

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(page.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    assert expanded(page, "Menu") is True
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Case studies")).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(page.locator("summary")).to_be_focused()
    assert header_height(page) < 80


def test_the_phone_menu_opens_without_scripts(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/forums/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(nav).to_be_visible()
    page.get_by_role("link", name="Members").click()
    expect(page).to_have_url(f"{live_server.url}/members/")
    context.close()
