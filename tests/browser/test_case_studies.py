"""An editor writes a case study in the Wagtail admin, reviewers approve it, a member finds it."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from knowledgebase.demo import seed_case_studies
from knowledgebase.models import CaseStudyIndexPage, CaseStudyPage
from tests.browser.session import sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def with_role(username, *groups):
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(username=username)
    user.groups.add(*Group.objects.filter(name__in=groups))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def test_editor_writes_reviewers_approve_member_finds_it(page: Page, live_server):
    editor = with_role("elena", "Editors")
    reviewer = with_role("tomas", "Editors", "Moderators")
    member = UserFactory(username="mira")

    sign_in(page, live_server, editor)
    write_and_submit(page, live_server)
    study = CaseStudyPage.objects.get(slug="bystanders-film-a-drone-search")
    assert not study.live
    assert study.current_workflow_task.name == "Editorial review"

    sign_in(page, live_server, reviewer)
    approve_editorial_review(page, live_server, study)
    study.refresh_from_db()
    assert study.current_workflow_task.name == "Ethics and privacy review"
    approve_ethics_review(page, live_server, study)
    study.refresh_from_db()
    assert study.live

    sign_in(page, live_server, member)
    find_in_the_library(page, live_server)
    # Its first publication started the discussion, which links back to the case study.
    page.get_by_role("link", name="Discuss this case study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bystanders film a drone search")
    expect(page.get_by_role("link", name="Case study discussions")).to_be_visible()
    page.get_by_role("link", name="Bystanders film a drone search").first.click()
    expect(page).to_have_url(re.compile(r"/case-studies/bystanders-film-a-drone-search/$"))


def write_and_submit(page: Page, live_server):
    """Write the case study in the Wagtail admin and submit it to the review workflow."""
    index = CaseStudyIndexPage.objects.get()
    page.goto(f"{live_server.url}/admin/pages/add/knowledgebase/casestudypage/{index.pk}/")
    page.get_by_role("textbox", name="Title*").fill("Bystanders film a drone search")
    page.get_by_role("combobox", name="Classification*").select_option("ugly")
    page.get_by_role("textbox", name="Summary*").fill(
        "Live streams showed where the search team stood."
    )
    page.get_by_label("Trolling").check()
    page.get_by_label("Citizens").check()
    page.get_by_label("TikTok").check()
    page.get_by_role("combobox", name="Country").select_option("SE")
    page.get_by_role("spinbutton", name="Year").fill("2025")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Case study review").click()
    expect(page.get_by_text("created and submitted for moderation")).to_be_visible()


def approve_editorial_review(page: Page, live_server, study):
    page.goto(f"{live_server.url}/admin/pages/{study.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("has been updated")).to_be_visible()


def approve_ethics_review(page: Page, live_server, study):
    """Approve the ethics step: refused until every checklist question is answered."""
    page.goto(f"{live_server.url}/admin/pages/{study.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve with ethics checklist").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Approve with ethics checklist").click()
    expect(dialog.get_by_text("This field is required.").first).to_be_visible()
    answers = {
        "personal_data": "handled",
        "minors_or_victims": "handled",
        "operational_details": "handled",
        "legal_basis": "n/a",
    }
    for question, answer in answers.items():
        dialog.locator(f"input[name={question}][value='{answer}']").check()
    dialog.get_by_role("button", name="Approve with ethics checklist").click()
    expect(page.get_by_text("has been updated")).to_be_visible()


def find_in_the_library(page: Page, live_server):
    """Filter the library down to the case study and open it."""
    page.goto(f"{live_server.url}/case-studies/")
    filters = page.get_by_role("form", name="Filter case studies")
    # Each choice applies at once: the page reloads with it (no "Apply filters" needed).
    filters.get_by_role("group", name="Classification").get_by_label("The ugly").check()
    expect(page).to_have_url(re.compile(r"classification=ugly"))
    filters.get_by_role("group", name="Platform").get_by_label("TikTok").check()
    expect(page).to_have_url(re.compile(r"classification=ugly&platform=tiktok"))
    expect(page.get_by_role("heading", name="1 case study")).to_be_visible()
    page.get_by_role("link", name="Bystanders film a drone search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bystanders film a drone search")
    expect(page.get_by_text("The ugly", exact=True)).to_be_visible()


@pytest.mark.parametrize("path", ["/case-studies/", "/case-studies/live-qa-during-city-festival/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_library_and_case_study_have_no_accessibility_violations(
    page: Page, live_server, path, scheme
):
    seed_case_studies()
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}{path}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_filters_work_with_the_keyboard_alone(page: Page, live_server):
    seed_case_studies()
    page.goto(f"{live_server.url}/case-studies/")
    page.get_by_label("Dark web").focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"[?&]theme=dark-web"))
    expect(page.get_by_label("Dark web")).to_be_focused()  # the reload keeps the focus
    remove = page.get_by_role("link", name="Theme: Dark web")
    remove.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/case-studies/?")


def test_on_a_phone_results_come_first_and_filters_sit_behind_a_disclosure(page, live_server):
    seed_case_studies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/case-studies/?theme=trolling&platform=x&year=2024")
    toggle = page.locator("summary", has_text=re.compile(r"^\s*Filter\s+\(3\)\s*$"))
    expect(toggle).to_be_visible()
    results = page.locator("#results-title")
    expect(results).to_be_in_viewport()
    expect(page.get_by_role("form", name="Filter case studies")).to_be_hidden()
    assert toggle.bounding_box()["y"] < results.bounding_box()["y"] < 844
    results_axe = Axe().run(page)
    assert results_axe.violations_count == 0, results_axe.generate_report()

    toggle.click()
    filters = page.get_by_role("form", name="Filter case studies")
    expect(filters).to_be_visible()
    filters.get_by_role("group", name="Platform").get_by_label("X (Twitter)").uncheck()
    expect(page).not_to_have_url(re.compile(r"platform=x"))
    expect(page.locator("summary", has_text=re.compile(r"Filter\s+\(2\)"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"theme=trolling&year=2024"))


def test_long_facets_fold_behind_show_all(page: Page, live_server):
    seed_case_studies()
    page.goto(f"{live_server.url}/case-studies/")
    countries = page.get_by_role("group", name="Country")
    more = countries.locator("details.facet__more")
    if more.count():
        expect(more.locator("summary")).to_have_text(re.compile(r"^Show all \d+ countries$"))
        expect(more.locator("input").first).to_be_hidden()
        more.locator("summary").click()
        expect(more.locator("input").first).to_be_visible()
    tags = page.get_by_role("group", name="Tag")
    expect(tags.locator("details.facet__more summary")).to_have_text(
        re.compile(r"^Show all \d+ tags$")
    )
    assert tags.locator(".facet__option").count() > 6
    assert tags.locator(".facet__option:visible").count() == 6
