"""People in a real browser: a profile with a photo, verification through the queue, axe scans."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from PIL import Image
from playwright.sync_api import Page, expect

from community.models import Profile
from tests.factories import (
    PASSWORD,
    ForumFactory,
    UserFactory,
    make_verified,
    make_verifier,
    set_visibility,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VERIFIER_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sign_in(page: Page, base_url: str, email: str, totp_secret: str = ""):
    """Sign in from the settings page's sign-in link: the member lands back on it."""
    page.goto(f"{base_url}/accounts/login/?next=/settings/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def photo(tmp_path):
    path = tmp_path / "me.png"
    Image.new("RGB", (400, 300), (20, 90, 160)).save(path)
    return path


def test_member_builds_a_profile_gets_verified_and_enters_the_verified_forum(
    page: Page, browser, live_server, tmp_path
):
    forum = ForumFactory(name="Verified room", slug="verified-room", audience="verified")
    UserFactory(username="rosa", email="rosa@example.eu", display_name="")
    make_verifier("vera", email="vera@example.eu")

    sign_in(page, live_server.url, "rosa@example.eu")
    page.get_by_label("Display name", exact=True).fill("Rosa Almeida")
    page.get_by_label("Stakeholder type", exact=True).select_option(label="Law-enforcement agency")
    page.get_by_label("Organisation", exact=True).fill("Porto Municipal Police")
    page.get_by_label("Country", exact=True).select_option(label="Portugal")
    page.get_by_label("Areas of expertise", exact=True).fill("community policing, osint")
    page.get_by_label("Portuguese").check()
    page.get_by_label("About you", exact=True).fill("I run our **neighbourhood** accounts.")
    page.get_by_label("Photo", exact=True).set_input_files(photo(tmp_path))
    page.get_by_label("Who sees: Your profile page and directory entry").select_option("public")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()

    page.get_by_role("link", name="View your profile").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Almeida")
    expect(page.locator("img.avatar")).to_be_visible()
    expect(page.locator(".profile-bio strong")).to_have_text("neighbourhood")

    page.goto(f"{live_server.url}/settings/verification/")
    expect(page.get_by_label("Organisation")).to_have_value("Porto Municipal Police")
    page.get_by_label("Your role there").fill("Community liaison officer")
    page.get_by_label("Official email address").fill("rosa.almeida@pm-porto.example.pt")
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_text("We sent a confirmation link")).to_be_visible()

    link = re.search(r"https?://\S+/verification/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("A verifier will look at your request")).to_be_visible()

    verifier = browser.new_context().new_page()
    sign_in(verifier, live_server.url, "vera@example.eu", VERIFIER_SECRET)
    verifier.goto(f"{live_server.url}/verification/queue/")
    verifier.get_by_role("link", name="Rosa Almeida").click()
    expect(verifier.get_by_text("rosa.almeida@pm-porto.example.pt")).to_be_visible()
    verifier.get_by_role("button", name="Approve").click()
    expect(verifier.get_by_text("the decision is saved")).to_be_visible()
    assert mail.outbox[-1].to == ["rosa@example.eu"]

    page.goto(f"{live_server.url}{forum.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verified room")
    page.goto(f"{live_server.url}/members/rosa/")
    expect(page.locator(".badge--verified")).to_contain_text("Verified practitioner")


@pytest.mark.parametrize("path", ["/members/", "/members/pia/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_people_pages_have_no_accessibility_violations(page: Page, live_server, path, scheme):
    pia = UserFactory(username="pia", display_name="Pia Public")
    set_visibility(pia, profile="public", organisation="public")
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_signed_in_directory_and_settings_have_no_accessibility_violations(page: Page, live_server):
    UserFactory(username="quinn", email="quinn@example.eu", display_name="Quinn")
    sign_in(page, live_server.url, "quinn@example.eu")
    for path in ["/settings/", "/settings/verification/", "/members/"]:
        page.goto(f"{live_server.url}{path}")
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def test_a_full_profile_and_the_settings_reflow_on_a_phone(page: Page, live_server):
    quinn = make_verified(
        UserFactory(username="quinn", email="quinn@example.eu", display_name="Quinn")
    )
    Profile.objects.filter(user=quinn).update(
        stakeholder_type="law_enforcement",
        organisation="Regional Police Service of a Rather Long Name",
        role="Social media coordinator for community policing",
        country="NL",
    )
    set_visibility(quinn, profile="public", organisation="public", role="public")
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server.url, "quinn@example.eu")
    for path in ["/settings/", "/members/quinn/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
