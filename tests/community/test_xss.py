"""The XSS corpus rendered through every way members put text on pages: nothing can run.

Posts (the Markdown pipeline and the edit history), thread titles, tags, profile fields and the
search results (titles and snippets) are filled with the payloads of ``xss_corpus`` and the pages
that show them are read with an HTML parser (``executable_markup``).
"""

import pytest
from django.test import Client
from django.urls import reverse

from community import markdown, services
from community.models import Post, Profile
from tests.community.xss_corpus import ALL as CORPUS
from tests.community.xss_corpus import SHORT, executable_markup
from tests.factories import ForumFactory, UserFactory, make_thread, set_visibility

pytestmark = pytest.mark.django_db

# What the forms let through to the services: a NUL character is refused (next test).
ALL = [payload for payload in CORPUS if "\0" not in payload]


def test_a_nul_character_is_a_form_error_not_a_server_error(client, member):
    client.force_login(member)
    forum = ForumFactory(slug="nul")
    thread = make_thread(forum)
    response = client.post(
        f"/t/{thread.pk}/reply/", {"body": '<IMG SRC=java\0script:alert("XSS")>'}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    search = client.get(reverse("search:search"), {"q": "java\0script"})
    assert search.status_code in (200, 400)


@pytest.mark.parametrize("payload", CORPUS, ids=[f"{i:03d}" for i in range(len(CORPUS))])
def test_the_markdown_pipeline_leaves_nothing_executable(payload):
    html = markdown.render(payload).html
    assert executable_markup(html) == [], (payload, html)
    assert "<script" not in html.lower()


def test_the_checker_finds_what_a_browser_would_run():
    # The corpus is only as good as the check: unsanitised, plain payloads are caught. (Mutation
    # payloads depend on the parser; the browser test renders those in Chromium.)
    plain = [p for p in ALL if p.startswith(("<IMG", "<img", "<svg", "<a ", "<IFRAME", "<iframe"))]
    assert len(plain) > 20
    # (Backticks quoted attributes in old Internet Explorer only.)
    plain = [p for p in plain if p.endswith(">") and "`" not in p]
    assert [p for p in plain if not executable_markup(p)] == []
    assert executable_markup('<a href=" jav&#x09;ascript:alert(1)">x</a>')
    assert executable_markup("<img src=x onerror=alert(1)>")
    assert executable_markup("<svg/onload=alert(1)>")
    assert not executable_markup('<script src="/static/js/site.js"></script><a href="/x">x</a>')


def pages(client, first_url):
    """Return the HTML of *first_url* and of the pages its pagination links to."""
    found, number = [], 1
    while True:
        response = client.get(f"{first_url}?page={number}" if number > 1 else first_url)
        assert response.status_code == 200, first_url
        found.append(response.content.decode())
        number += 1
        if f"page={number}" not in found[-1]:
            return found


def problems_on(client, urls):
    found = []
    for url in urls:
        for number, page in enumerate(pages(client, url), start=1):
            found += [f"{url} page {number}: {p}" for p in executable_markup(page)]
    return found


@pytest.fixture
def forum():
    return ForumFactory(name="Engagement", slug="engagement")


def test_posts_show_nothing_executable(client, forum):
    author = UserFactory(username="author")
    thread = make_thread(forum, author, title="The corpus")
    for payload in ALL:
        services.post_create(author=author, thread=thread, body=payload)
    assert Post.objects.filter(thread=thread).count() == len(ALL) + 1
    viewer = UserFactory(username="viewer")
    for who in (Client(), Client()):
        who.force_login(viewer) if who is not client else None
        assert problems_on(who, [thread.get_absolute_url()]) == []


def test_the_edit_history_shows_nothing_executable(client, forum):
    author = UserFactory(username="author")
    thread = make_thread(forum, author, title="Edited", body="plain")
    post = thread.posts.get()
    for payload in ALL[::3]:
        services.post_edit(editor=author, post=post, body=payload)
    response = client.get(reverse("community:post_history", args=[post.pk]))
    assert response.status_code == 200
    assert executable_markup(response.content.decode()) == []


def test_titles_and_tags_show_nothing_executable(client, forum):
    author = UserFactory(username="author")
    threads = []
    for number, payload in enumerate(SHORT):
        tag = f"{payload[:40]} {number}".lower()
        threads.append(make_thread(forum, author, title=payload, tags=[tag], body=f"Body {number}"))
    services.post_create(author=author, thread=threads[0], body="@viewer look")
    viewer = UserFactory(username="viewer")
    services.post_create(author=author, thread=threads[1], body="@viewer look again")
    tag_urls = [
        reverse("search:tag_detail", args=[t.tags.first().slug]) for t in threads if t.tags.exists()
    ]
    urls = [
        "/",
        "/forums/",
        forum.get_absolute_url(),
        *[t.get_absolute_url() for t in threads],
        *tag_urls,
        "/feeds/forums/",
    ]
    assert problems_on(client, [u for u in urls if not u.startswith("/feeds/")]) == []
    client.force_login(viewer)
    assert problems_on(client, [*urls[:3], "/notifications/"]) == []
    feed = client.get("/feeds/forums/").content.decode()
    assert "<script>" not in feed
    assert "<img " not in feed


def test_profile_fields_show_nothing_executable(client, forum):
    members = []
    for number, payload in enumerate(SHORT):
        user = UserFactory(username=f"person{number}")
        chunk = ALL[number :: len(SHORT)]
        services.profile_update(
            user=user,
            display_name=payload,
            organisation=payload,
            role=payload,
            bio_markdown="\n\n".join(chunk)[:2000],
        )
        set_visibility(user, profile="public", organisation="public", role="public", bio="public")
        members.append(user)
        make_thread(forum, user, title=f"Thread by {number}", body=f"Body {number}")
    assert Profile.objects.filter(role=SHORT[0]).exists()
    urls = [f"/members/{m.username}/" for m in members] + ["/members/", forum.get_absolute_url()]
    assert problems_on(client, urls) == []
    client.force_login(UserFactory(username="viewer"))
    thread_urls = [t.get_absolute_url() for t in forum.threads.all()]
    assert problems_on(client, urls + thread_urls) == []


def test_profile_links_must_be_web_addresses(client, member):
    client.force_login(member)
    response = client.post(
        reverse("community:settings"),
        {
            "user-display_name": "M",
            "profile-stakeholder_type": "citizen",
            "profile-link_1": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert Profile.objects.get(user=member).links == []


def test_search_results_show_nothing_executable(client, forum):
    author = UserFactory(username="author")
    for number, payload in enumerate(SHORT):
        make_thread(
            forum,
            author,
            title=f"helicopter {payload}",
            body=f"helicopter noise {payload} and {ALL[number]}",
        )
    queries = ["helicopter", "noise", *SHORT, "<script>", '"><img src=x onerror=alert(1)>']
    found = []
    for query in queries:
        response = client.get(reverse("search:search"), {"q": query})
        assert response.status_code in (200, 400), query
        found += [f"{query!r}: {p}" for p in executable_markup(response.content.decode())]
    assert found == []
    response = client.get(reverse("search:search"), {"q": "helicopter"})
    assert response.content.decode().count("search-result__title") >= len(SHORT)
