"""Search in a real browser: the header box, highlighted results, similar threads while typing.

Also scans the search and tag pages with axe-core, and checks the similar-threads script runs
under the Content Security Policy (no violation reported in the console).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from community import services
from tests.factories import PASSWORD, ForumFactory, UserFactory, make_case_study, make_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def content(db):
    forum = ForumFactory(name="Crowd events", slug="crowd-events")
    hidden = ForumFactory(name="Verified only", slug="verified-only", audience="verified")
    author = UserFactory(username="jan", display_name="Jan")
    thread = make_thread(forum, author, title="Rumour control at the derby",
                         body="We answer fast.", tags=["derby"])  # fmt: skip
    services.post_create(author=author, thread=thread, body="The **rumour** came [back](/x/).")
    services.post_create(author=author, thread=thread, body="> Another rumour at half time.")
    make_thread(hidden, author, title="Rumour tactics for officers", body="Internal.")
    make_case_study("Derby rumours", summary="A rumour spread in minutes.", tags=["derby"])
    return UserFactory(username="mira", display_name="Mira")


def test_header_search_shows_highlighted_results(page: Page, live_server, content):
    page.goto(f"{live_server.url}/forums/")
    box = page.get_by_role("searchbox", name="Search case studies and discussions").first
    box.fill("rumour")
    box.press("Enter")
    expect(page.get_by_role("heading", name="2 results for “rumour”")).to_be_visible()
    # PostgreSQL stems ("rumours" matches too); SQLite marks the word as typed.
    marks = page.locator(".search-result mark").all_inner_texts()
    assert marks
    assert all(mark.lower().startswith("rumour") for mark in marks), marks
    expect(page.get_by_text("Rumour tactics for officers")).to_have_count(0)
    # One result for the discussion, its snippet plain text, its other matching post a link away.
    snippet = page.locator(".search-result--thread .search-result__snippet").inner_text()
    assert "**" not in snippet, snippet
    assert "](" not in snippet, snippet
    page.get_by_role("link", name="1 more matching post").click()
    expect(page.get_by_role("heading", name="2 results for “rumour”")).to_be_visible()
    expect(page.get_by_text("Matching posts in the discussion")).to_be_visible()
    expect(page.get_by_role("link", name="Reply in “Rumour control at the derby”")).to_have_count(2)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_similar_threads_appear_while_the_title_is_typed(page: Page, live_server, content):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(content.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/forums/crowd-events/new/")
    region = page.locator("#similar-threads")
    expect(region).to_have_attribute("aria-live", "polite")
    page.get_by_label("Title").press_sequentially("Rumours after the derby", delay=20)
    expect(region.get_by_role("link", name="Rumour control at the derby")).to_be_visible()
    expect(region.get_by_text("Rumour tactics for officers")).to_have_count(0)
    page.get_by_label("Title").fill("")
    page.get_by_label("Title").press_sequentially("Kites", delay=20)
    expect(region.get_by_role("link")).to_have_count(0)
    assert not [m for m in messages if "Content Security Policy" in m], messages


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_and_tag_pages_have_no_accessibility_violations(page: Page, live_server, content,
                                                               scheme):  # fmt: skip
    page.emulate_media(color_scheme=scheme)
    for path in ["/search/", "/search/?q=rumour", "/search/?q=%21%21%21", "/tags/derby/"]:
        page.goto(f"{live_server.url}{path}")
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
