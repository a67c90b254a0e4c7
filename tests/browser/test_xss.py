"""The worst XSS payloads on real pages in Chromium: no dialog opens and no payload sets a flag.

Every payload would call ``alert`` (a dialog) or set ``window.__xss`` if it ran. The pages are
a thread whose posts, title and tags are payloads, a profile filled with them, the tag page and
the search results; the test also hovers and focuses the posts, for the handlers that need it.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from community import services
from tests.community.xss_corpus import ALL, SHORT
from tests.factories import PASSWORD, ForumFactory, UserFactory, make_thread, set_visibility

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Those that run in a browser without help if anything lets them through.
RUNS_BY_ITSELF = ("onerror", "onload", "ontoggle", "<script", "onfocus", "srcdoc", "javascript:",
                  "onbegin", "<noscript", "<math")  # fmt: skip
WORST = [p for p in ALL if "\0" not in p and any(word in p for word in RUNS_BY_ITSELF)]


def watch(page: Page) -> list[str]:
    """Record every dialog the page opens (and dismiss it) in the returned list."""
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def ran(page: Page) -> bool:
    return page.evaluate("() => window.__xss !== undefined")


def test_the_watch_catches_a_payload_that_runs(page: Page):
    # The positive control: the same checks see a payload run on an unprotected page.
    dialogs = watch(page)
    page.set_content('<img src="x" onerror="window.__xss = 1; alert(1)">')
    page.wait_for_timeout(300)
    assert ran(page)
    assert dialogs == ["1"]


def test_worst_payloads_do_not_run_on_real_pages(page: Page, live_server):
    forum = ForumFactory(name="Engagement", slug="engagement")
    author = UserFactory(username="author")
    services.profile_update(
        user=author,
        display_name=SHORT[1],
        organisation=SHORT[0],
        role=SHORT[4],
        bio_markdown="\n\n".join(WORST)[:2000],
    )
    set_visibility(author, profile="public", organisation="public", role="public", bio="public")
    thread = make_thread(
        forum, author, title=SHORT[1], tags=["<script>window.__xss=1</script>"], body=SHORT[0]
    )
    for payload in WORST:
        services.post_create(author=author, thread=thread, body=payload)
    UserFactory(username="reader", email="reader@example.eu")
    assert len(WORST) > 40

    dialogs = watch(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("reader@example.eu")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    pages = (len(WORST) + 1) // 20 + 1
    urls = [f"{thread.get_absolute_url()}?page={n}" for n in range(1, pages + 1)]
    urls += [
        forum.get_absolute_url(),
        f"/members/{author.username}/",
        reverse("search:tag_detail", args=[thread.tags.first().slug]),
        f"{reverse('search:search')}?q=window",
        f"{reverse('search:search')}?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    ]
    problems = []
    for url in urls:
        page.goto(f"{base}{url}")
        page.wait_for_load_state("load")
        for post in page.locator(".post").all()[:20]:
            post.hover()
        page.keyboard.press("Tab")
        page.wait_for_timeout(200)
        if ran(page):
            problems.append(f"window.__xss set on {url}")
    assert problems == []
    assert dialogs == []
