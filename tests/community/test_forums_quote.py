"""Quoting keeps the draft: the JSON the script inserts, and the form way without scripts."""

import pytest

from community.models import Post
from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    author = UserFactory(username="mira")
    return make_thread(ForumFactory(), author, body="Report first,\npost second.", replies=1)


def test_quote_endpoint_returns_the_quote_as_the_server_builds_it(client, member, thread):
    client.force_login(member)
    opening = thread.posts.get(number=1)
    response = client.get(f"/t/{thread.pk}/quote/{opening.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json()["text"] == (
        f"> @mira [wrote in post #1](/p/{opening.pk}/):\n>\n> Report first,\n> post second.\n\n"
    )


def test_quote_endpoint_answers_404_for_what_may_not_be_quoted(client, member, thread):
    opening = thread.posts.get(number=1)
    assert client.get(f"/t/{thread.pk}/quote/{opening.pk}/").status_code == 404  # visitor
    client.force_login(member)
    other = make_thread(ForumFactory(), body="Elsewhere")
    assert client.get(f"/t/{thread.pk}/quote/{other.last_post.pk}/").status_code == 404
    reply = thread.posts.get(number=2)
    Post.objects.filter(pk=reply.pk).update(is_hidden=True, hidden_reason="moderator")
    assert client.get(f"/t/{thread.pk}/quote/{reply.pk}/").status_code == 404


def test_quote_without_scripts_keeps_the_draft_and_appends_the_quote(client, member, thread):
    client.force_login(member)
    opening = thread.posts.get(number=1)
    response = client.post(
        f"/t/{thread.pk}/reply/?page=1",
        {"body": "My draft, half typed", "quote": opening.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "My draft, half typed\n\n&gt; @mira [wrote in post #1]"
        f"(/p/{opening.pk}/):\n&gt;\n&gt; Report first," in html
    )
    assert thread.posts.count() == 2  # nothing was posted
    assert "errorlist" not in html


def test_quote_buttons_belong_to_the_reply_form(client, member, thread):
    client.force_login(member)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'id="reply-form"' in html
    assert 'form="reply-form"' in html
    assert 'name="quote"' in html
    assert "js/quote.js" in html
