"""No third parties: every public page type loads only from the portal's own host."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page

from community.models import Forum, Thread, User
from knowledgebase.models import CaseStudyPage
from tests.factories import set_visibility

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def optional(name, *args, query=""):
    """Return the path of a page another feature adds, or None while it does not exist."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


def public_pages():
    call_command("seed_demo", stdout=StringIO())
    forum = Forum.objects.filter(audience="public", thread_count__gt=0).first()
    thread = Thread.objects.filter(forum=forum).first()
    with_video = next(
        page
        for page in CaseStudyPage.objects.live().filter(audience="public")
        if any(block.block_type == "video" for block in page.body)
    )
    member = User.objects.get(username="mira")
    set_visibility(member, profile="public")
    tag = thread.tags.first() or with_video.tags.first()
    pages = {
        "home": "/",
        "library": "/case-studies/",
        "library with filters": "/case-studies/?classification=good&page=1",
        "case study with a video": with_video.url,
        "about": "/about/",
        "privacy notice": "/privacy/",
        "code of conduct": "/code-of-conduct/",
        "accessibility": "/accessibility/",
        "forum index": "/forums/",
        "forum": forum.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "member directory": "/members/",
        "public profile": f"/members/{member.username}/",
        "request about a case study": reverse("knowledgebase:person_request", args=[with_video.pk]),
        "log in": "/accounts/login/",
        "sign up": "/accounts/signup/",
        "threads feed": "/feeds/forums/",
        "case studies feed": "/feeds/case-studies/",
        "tag": optional("search:tag_detail", tag.slug) if tag else None,
        "search": optional("search:search", query="?q=police"),
        "not found": "/no-such-page/",
    }
    return {name: path for name, path in pages.items() if path}


def test_no_public_page_sends_a_request_to_another_host(page: Page, live_server):
    own = urlsplit(live_server.url).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for name, path in public_pages().items():
        requested.clear()
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response is not None, name
        assert response.status < 500, f"{name} {path}: {response.status}"
        foreign = [
            url
            for url in requested
            if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(url).netloc != own
        ]
        assert foreign == [], f"{name} {path} asked other hosts: {foreign}"


def test_a_video_loads_nothing_until_the_reader_follows_its_link(page: Page, live_server):
    public_pages()
    case_study = next(
        page
        for page in CaseStudyPage.objects.live().filter(audience="public")
        if any(block.block_type == "video" for block in page.body)
    )
    video = next(block.value for block in case_study.body if block.block_type == "video")
    video_host = urlsplit(video["url"]).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}{case_study.url}")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if urlsplit(url).netloc == video_host]
    assert page.locator(f'a[href="{video["url"]}"]').count() == 1
    assert page.locator("iframe").count() == 0
