"""A newcomer joins through a real browser; the entrance pages pass an axe-core scan."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from community.models import User
from tests.factories import PASSWORD, UserFactory, make_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_newcomer_signs_up_confirms_email_and_sees_their_account(page: Page, live_server):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Join", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")

    page.get_by_label("Email").fill("newcomer@example.eu")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase-7")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase-7")
    page.get_by_label("I accept the terms of use and the privacy notice").check()
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your email address")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("button", name="Confirm").click()

    # Confirming in the browser that signed up signs in, on to the profile to fill in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("You have confirmed newcomer@example.eu.")).to_be_visible()
    expect(page.get_by_text("newcomer@example.eu", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()

    # The link opened again, signed out: used, not "expired or invalid".
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Address already confirmed")
    expect(page.get_by_text("This address is already confirmed")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("newcomer@example.eu")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase-7")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_returning_member_signs_in_from_a_thread_and_lands_back_on_it(page: Page, live_server):
    member = UserFactory(username="returning", email="returning@example.eu")
    User.objects.filter(pk=member.pk).update(last_login=timezone.now() - datetime.timedelta(days=2))
    thread = make_thread(title="Rumour control after the flood")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("returning@example.eu")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}{thread.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rumour control after the flood")

    page.goto(f"{live_server.url}/")
    new = page.get_by_role("region", name="New for you since your last visit")
    expect(new.get_by_role("link", name="Rumour control after the flood")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_signup_errors_are_summed_up_focused_and_linked_to_their_fields(page: Page, live_server):
    """The summary takes focus, its links focus their fields, and nothing typed is lost."""
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.locator("label", has_text=re.compile(r":\s*$"))).to_have_count(0)
    page.get_by_label("Email").fill("newcomer@example.eu")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Password (again)").fill("password")
    page.get_by_role("button", name="Sign up").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary.get_by_role("alert")).to_contain_text("This password is too common.")
    summary.get_by_role("link", name=re.compile("too common")).click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_have_value("newcomer@example.eu")
    expect(page.get_by_label("Username")).to_have_value("newcomer")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/", "/about/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_entrance_pages_have_no_accessibility_violations(page: Page, live_server, path, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}{path}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_skip_link_is_the_first_stop_for_keyboard_users(page: Page, live_server):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_layout_reflows_at_320_pixels(page: Page, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
