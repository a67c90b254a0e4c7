"""Search results as a reader meets them: plain-text snippets, titles, one entry per discussion.

Runs on PostgreSQL (``ts_headline`` cuts the snippets) and on SQLite (cut in Python).
"""

import re

import pytest

from community import services
from community.models import Post
from tests.factories import ForumFactory, UserFactory, as_told, make_moderator, make_thread

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get("/search/", params)
    return response, response.content.decode()


def results(html):
    """Return (title, link, snippet, more) for each result shown, tags of the title removed."""
    found = []
    for item in re.findall(r'<li class="search-result .*?</li>', html, re.S):
        title = re.search(
            r'class="search-result__title">\s*<a href="([^"]*)">(.*?)</a>', item, re.S
        )
        snippet = re.search(r'class="search-result__snippet">(.*?)</p>', item, re.S)
        more = re.search(r'class="search-result__more">\s*<a href="([^"]*)">(.*?)</a>', item, re.S)
        found.append(
            (
                " ".join(re.sub(r"<[^>]+>", "", title.group(2)).split()),
                title.group(1),
                snippet.group(1) if snippet else "",
                (" ".join(more.group(2).split()), more.group(1).replace("&amp;", "&"))
                if more
                else None,
            )
        )
    return found


@pytest.fixture
def author(db):
    return UserFactory(username="author", display_name="Ana Author")


@pytest.fixture
def forum(db):
    return ForumFactory(name="Crowd events", slug="crowd-events")


MARKDOWN = """# Harbour plan

The **harbour** patrol used [the harbour map](https://example.org/harbour-map) and _calm_ words.

> harbour rumours spread fast

| place | harbour |
|-------|---------|
| quay  | closed  |

- first harbour item
- `harbour_code()` <b>bold</b>

```
harbour = fenced
```
"""


def test_a_markdown_post_is_shown_as_plain_text_with_the_matches_marked(client, forum, author):
    thread = make_thread(forum, author, title="Match day", body="Opening.")
    services.post_create(author=author, thread=thread, body=MARKDOWN)
    _response, html = search(client, q="harbour")
    [(_title, _link, snippet, _more)] = results(html)
    assert re.search(r"<mark>harbour</mark>", snippet, re.I), snippet
    for syntax in [
        "**",
        "](",
        "example.org",
        "|",
        "```",
        "# ",
        "&gt; harbour",
        "- first",
        "_calm_",
    ]:
        assert syntax not in snippet, (syntax, snippet)
    # Raw HTML in a post is shown as text by the post itself: here too, escaped, never a tag.
    assert "&lt;b&gt;bold" in snippet
    assert "the <mark>harbour</mark> map" in snippet.replace("<mark>H", "<mark>h")
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_an_opening_post_is_titled_by_its_thread_and_a_reply_as_a_reply(client, forum, author):
    opening = make_thread(forum, author, title="Match day", body="About balloons.")
    other = make_thread(forum, author, title="Kick-off", body="Nothing here.")
    reply = services.post_create(author=author, thread=other, body="Balloons again.")
    _response, html = search(client, q="balloons")
    shown = {title: link for title, link, _snippet, _more in results(html)}
    assert shown == {
        "Match day": opening.get_absolute_url(),
        "Reply in “Kick-off”": reply.get_absolute_url(),
    }


def test_a_discussion_is_one_result_with_its_other_matching_posts_counted(client, forum, author):
    thread = make_thread(forum, author, title="Match day", body="Kites over the stand.")
    services.post_create(author=author, thread=thread, body="More kites at half time.")
    services.post_create(author=author, thread=thread, body="Kites everywhere, kites!")
    services.post_create(author=author, thread=thread, body="Nothing to see.")
    _response, html = search(client, q="kites")
    assert "1 result for “kites”" in html
    [(_title, _link, snippet, more)] = results(html)
    assert "<mark>" in snippet
    assert more[0] == "2 more matching posts"
    # The link lists the thread's matching posts, each a result of its own.
    assert f"thread={thread.pk}" in more[1]
    html = client.get(f"/search/{more[1]}").content.decode()
    assert "3 results for “kites”" in html
    assert "Matching posts in the discussion “Match day”." in html
    assert sorted(title for title, *_ in results(html)) == [
        "Match day",
        "Reply in “Match day”",
        "Reply in “Match day”",
    ]
    assert all(more is None for *_, more in results(html))


def test_a_title_and_its_posts_matching_are_one_result(client, forum, author):
    thread = make_thread(forum, author, title="Harbour festival", body="The harbour was full.")
    services.post_create(author=author, thread=thread, body="Harbour again.")
    _response, html = search(client, q="harbour")
    [(title, link, snippet, more)] = results(html)
    assert (title, link) == ("Harbour festival", thread.get_absolute_url())
    assert "<mark>" in snippet
    assert more[0] == "1 more matching post"
    assert ">Thread</a>" in html
    assert ">Post</a>" in html


def test_discussions_are_paginated_one_result_each(client, forum, author):
    for number in range(23):
        thread = make_thread(forum, author, title=f"Day {number}", body="Kites.")
        services.post_create(author=author, thread=thread, body="Kites again.")
    _response, html = search(client, q="kites")
    assert "23 results for “kites”" in html
    assert len(results(html)) == 20
    assert len(results(search(client, q="kites", page=2)[1])) == 3
    assert search(client, q="kites", page=3)[0].status_code == 302


def test_posts_nobody_may_see_are_not_shown_or_counted(client, forum, author, member):
    """Hidden posts and posts in forums the member may not see leak nothing, not even a count."""
    closed = ForumFactory(name="Verified only", slug="verified-only", audience="verified")
    secret = make_thread(closed, author, title="Plans", body="Zeppelin one.")
    services.post_create(author=author, thread=secret, body="Zeppelin two.")
    services.post_create(author=author, thread=secret, body="Zeppelin three.")
    open_thread = make_thread(forum, author, title="Sky", body="A zeppelin passed.")
    for body in ["Zeppelin insult.", "Zeppelin spam."]:
        post = services.post_create(author=author, thread=open_thread, body=body)
        Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_reason="moderator")
    client.force_login(member)
    _response, html = search(client, q="zeppelin")
    assert "1 result for “zeppelin”" in html
    assert [(title, more) for title, _link, _snippet, more in results(html)] == [("Sky", None)]
    assert "more matching" not in html
    for word in ["Plans", "insult", "spam", "Verified only"]:
        assert word not in html
    # The posts of a discussion the member may not see: told exactly as for one that never was.
    hidden = client.get("/search/", {"q": "zeppelin", "thread": secret.pk})
    missing = client.get("/search/", {"q": "zeppelin", "thread": 999999})
    assert hidden.status_code == 400
    assert "That discussion does not exist, or you may not see it." in hidden.content.decode()
    assert as_told(hidden, f'value="{secret.pk}"') == as_told(missing, 'value="999999"')
    shown = client.get("/search/", {"q": "zeppelin", "thread": open_thread.pk}).content.decode()
    assert "1 result for “zeppelin”" in shown
    client.force_login(make_moderator())
    _response, html = search(client, q="zeppelin")
    assert ("Sky", "2 more matching posts") in [(t, m and m[0]) for t, _l, _s, m in results(html)]
