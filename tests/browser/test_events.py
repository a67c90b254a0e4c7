"""Events in a real browser: a member applies, an organiser (with two-factor) accepts, the
reminder email goes out, the member cancels and the first on the waiting list moves up and is
told; the event list, the event page and the organiser's queue pass an axe-core scan."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from events import services
from events.models import Application
from events.tasks import send_event_reminders
from tests.browser.session import sign_in
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def assert_accessible(page: Page):
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{page.url} ({scheme})\n{results.generate_report()}"
    page.emulate_media(color_scheme="light")


def test_apply_accept_remind_cancel_and_the_waiting_list_moves_up(page: Page, live_server):
    base = live_server.url
    event = make_event("Crisis communication workshop", audience="members", capacity=1, days=5)
    mira = UserFactory(username="mira", display_name="Mira", email="mira@example.eu")
    wanda = UserFactory(username="wanda", display_name="Wanda", email="wanda@example.eu")
    services.application_create(
        event=event, member=wanda, motivation="I teach this.", stakeholder_type="research"
    )
    organiser = make_organiser()

    sign_in(page, live_server, mira)
    apply_from_the_list(page, base)
    sign_in(page, live_server, organiser)
    decide_in_the_queue(page, base, event)
    assert Application.objects.get(member=mira).status == "accepted"
    assert Application.objects.get(member=wanda).waitlist_position == 1

    mail.outbox.clear()
    send_event_reminders()  # the hourly beat task, in-process
    (reminder,) = mail.outbox
    assert reminder.to == ["mira@example.eu"]
    assert "In a week: Crisis communication workshop" in reminder.subject
    assert reminder.attachments[0][2] == "text/calendar"

    mail.outbox.clear()
    sign_in(page, live_server, mira)
    page.goto(f"{base}{event.url}")
    page.get_by_role("button", name="Cancel my application").click()
    expect(page.get_by_text("Your application is cancelled.")).to_be_visible()
    (told,) = mail.outbox
    assert told.to == ["wanda@example.eu"]
    assert "You are in: Crisis communication workshop" in told.subject

    sign_in(page, live_server, wanda)
    page.goto(f"{base}{event.url}")
    expect(page.locator("#application-status")).to_contain_text("Your application: Accepted.")


def apply_from_the_list(page: Page, base):
    page.goto(f"{base}/events/")
    assert_accessible(page)
    page.get_by_role("link", name="Crisis communication workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis communication workshop")
    assert_accessible(page)
    page.get_by_label("Why do you want to take part?").fill("I run our force's accounts.")
    page.get_by_label("You take part as").select_option("law_enforcement")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#application-status")).to_contain_text("Your application: Applied.")


def decide_in_the_queue(page: Page, base, event):
    """Accept Mira and put Wanda on the waiting list, the stakeholder mix in view."""
    page.goto(f"{base}/events/organise/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Crisis communication workshop")
    assert_accessible(page)
    mix = page.get_by_role("table")
    expect(mix.get_by_role("row", name=re.compile("Law-enforcement agency"))).to_contain_text("1")
    for name, decision, message in [
        ("Mira", "Accept", "See you in Brussels."),
        ("Wanda", "Waiting list", ""),
    ]:
        card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=name))
        card.get_by_label("Decision").select_option(label=decision)
        card.get_by_label("Message to the member").fill(message)
        card.get_by_role("button", name="Decide").click()
        expect(page.get_by_text("Decision saved; the member is told by email.")).to_be_visible()
