"""Privacy in a real browser: leaving after re-authentication; the privacy pages pass axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from community.models import User
from tests.factories import PASSWORD, UserFactory, make_case_study

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_member_deletes_their_account_after_typing_their_password(page: Page, live_server):
    member = UserFactory(username="leaving", email="leaving@example.eu")
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Your data and account").click()
    page.get_by_role("link", name="Delete your account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")

    page.get_by_label("I understand that my account is erased").check()
    page.get_by_role("button", name="Delete my account").click()
    # allauth asks for the password again before anything is erased.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm access")
    assert User.objects.filter(username="leaving").exists()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("Your account was deleted.")).to_be_visible()
    assert not User.objects.filter(username="leaving").exists()


@pytest.mark.parametrize(
    "path", ["/settings/privacy/", "/settings/privacy/delete/", "/consent/", "request"]
)
def test_privacy_pages_have_no_accessibility_violations(page: Page, live_server, path, settings):
    member = UserFactory(consented=False)
    sign_in(page, live_server, member)
    if path == "request":
        path = reverse("knowledgebase:person_request", args=[make_case_study("Festival").pk])
    page.goto(f"{live_server.url}{path}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
