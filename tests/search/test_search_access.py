"""The one access rule on the search surfaces: every actor and every audience.

A search, a tag page or the similar-threads hint never returns, counts or highlights a case
study, thread or post its visitor may not see.
"""

import pytest

from community import markdown, services
from community.models import Post
from community.services.moderation import moderation_act
from tests.factories import (
    ACCESS_MATRIX,
    AUDIENCES,
    VISIBLE_AUDIENCES,
    ForumFactory,
    UserFactory,
    as_told,
    make_actor,
    make_case_study,
    make_moderator,
    make_staff,
    make_thread,
    narrow_after_publication,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["as created", "narrowed after publication"])
def world(request, client, django_capture_on_commit_callbacks):
    """Per audience: a forum with a tagged thread and a reply, and a tagged case study."""
    author = make_staff("author")
    narrowed = request.param == "narrowed after publication"
    forums, threads, studies = {}, {}, {}
    for audience in AUDIENCES:
        forums[audience] = ForumFactory(
            name=f"Forum for {audience}",
            slug=f"forum-{audience}",
            audience="public" if narrowed else audience,
        )
        thread = threads[audience] = make_thread(
            forums["public" if narrowed else audience],
            author,
            title=f"Lighthouse thread {audience}",
            body="Opening words.",
            tags=[f"only-{audience}", "shared-tag"],
        )
        services.post_create(author=author, thread=thread, body=f"Beacon reply {audience}.")
        studies[audience] = make_case_study(
            f"Lighthouse study {audience}",
            audience="public" if narrowed else audience,
            group=forums["group"].group if audience == "group" and not narrowed else None,
            tags=[f"only-{audience}", "shared-tag"],
            summary=f"Beacon summary {audience}.",
        )
    if narrowed:
        narrow_after_publication(
            client,
            django_capture_on_commit_callbacks,
            forums=forums,
            threads=threads,
            studies=studies,
        )
    return {"forums": forums}


def sign_in(client, world, actor):
    user = make_actor(actor, group=world["forums"]["group"].group)
    if user:
        client.force_login(user)


def page_text(response):
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_search_returns_and_counts_only_what_the_actor_may_see(client, world, actor, audience):
    sign_in(client, world, actor)
    visible = audience in VISIBLE_AUDIENCES[actor]
    html = page_text(client.get("/search/", {"q": "lighthouse"}))
    assert (f"Lighthouse thread {audience}" in html) is visible
    assert (f"Lighthouse study {audience}" in html) is visible
    count = len(VISIBLE_AUDIENCES[actor]) * 2
    assert f"{count} results for “lighthouse”" in html
    html = page_text(client.get("/search/", {"q": f"beacon {audience}"}))
    assert (f"Beacon reply {audience}" in html) is visible
    assert ("Forum for " + audience in html) is visible


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_words_a_moderator_removed_are_found_by_nobody(client, world, actor, audience):
    reply = Post.objects.get(body_markdown=f"Beacon reply {audience}.")
    quote = markdown.quote(text=reply.body_markdown, username="author",
                           permalink=reply.get_absolute_url(), label="wrote")  # fmt: skip
    services.post_create(author=reply.author, thread=reply.thread, body=f"{quote}Agreed.")
    moderation_act(moderator=make_moderator(), post=reply, kind="edit", rule="operational",
                   reason="Removed.", body="A reply.")  # fmt: skip
    sign_in(client, world, actor)
    html = page_text(client.get("/search/", {"q": f"beacon {audience}"}))
    assert f"Beacon reply {audience}" not in html
    assert "Agreed." not in html


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_forum_filter_offers_visible_forums_only(client, world, actor, audience):
    sign_in(client, world, actor)
    html = client.get("/search/").content.decode()
    assert (f'value="forum-{audience}"' in html) is (audience in VISIBLE_AUDIENCES[actor])
    response = client.get("/search/", {"q": "lighthouse", "forum": f"forum-{audience}"})
    assert response.status_code == (200 if audience in VISIBLE_AUDIENCES[actor] else 400)
    if response.status_code == 400:
        missing = client.get("/search/", {"q": "lighthouse", "forum": "no-such-forum"})
        assert as_told(response, f"forum-{audience}") == as_told(missing, "no-such-forum")


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_tag_page_lists_visible_threads_and_case_studies_or_is_404(client, world, actor, audience):
    sign_in(client, world, actor)
    visible = audience in VISIBLE_AUDIENCES[actor]
    response = client.get(f"/tags/only-{audience}/")
    assert response.status_code == (200 if visible else 404)
    if not visible:
        assert b"Lighthouse" not in response.content
    html = client.get("/tags/shared-tag/").content.decode()
    assert (f"Lighthouse thread {audience}" in html) is visible
    assert (f"Lighthouse study {audience}" in html) is visible


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/search/?q=lighthouse&tag=", "Lighthouse thread"),
        ("/case-studies/?tag=", "Lighthouse study"),
    ],
    ids=["search", "library"],
)
def test_tag_filters_treat_a_tag_on_nothing_visible_as_missing(client, world, actor, audience,
                                                                path, shows):  # fmt: skip
    sign_in(client, world, actor)
    response = client.get(f"{path}only-{audience}")
    if audience in VISIBLE_AUDIENCES[actor]:
        assert f"{shows} {audience}" in page_text(response)
    else:
        missing = client.get(f"{path}no-such-tag")
        assert as_told(response, f"only-{audience}") == as_told(missing, "no-such-tag")


@pytest.mark.parametrize(("actor", "audience"), ACCESS_MATRIX)
def test_similar_threads_hint_shows_visible_threads_only(client, world, actor, audience):
    sign_in(client, world, actor)
    html = client.get("/search/similar-threads/", {"title": "A lighthouse question"}).content
    assert (f"Lighthouse thread {audience}".encode() in html) is (
        audience in VISIBLE_AUDIENCES[actor]
    )


def test_unpublished_and_restricted_case_studies_are_never_found(client, db):
    from wagtail.models import PageViewRestriction

    make_case_study("Lighthouse draft", publish=False)
    restricted = make_case_study("Lighthouse private")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    client.force_login(make_staff())
    html = client.get("/search/", {"q": "lighthouse"}).content.decode()
    assert "Lighthouse draft" not in html
    assert "Lighthouse private" not in html
    assert client.get("/tags/nothing-here/").status_code == 404


def test_hidden_posts_and_threads_are_found_by_moderators_only(client, db):
    from community.models import Post, Thread

    forum = ForumFactory(slug="open")
    author = UserFactory(username="writer")
    hidden_thread = make_thread(forum, author, title="Lighthouse spam", body="Buy now.")
    thread = make_thread(forum, author, title="Harbour", body="Fine.")
    post = services.post_create(author=author, thread=thread, body="Lighthouse insult.")
    Thread.objects.filter(pk=hidden_thread.pk).update(is_hidden=True)
    Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_reason="abuse")
    client.force_login(UserFactory(username="reader"))
    html = client.get("/search/", {"q": "lighthouse"}).content.decode()
    assert "0 results" in html
    assert "spam" not in html
    assert "insult" not in html
    assert client.get("/search/similar-threads/", {"title": "lighthouse"}).content.strip() == b""
    client.force_login(make_staff("moderator"))
    html = client.get("/search/", {"q": "lighthouse"}).content.decode()
    assert "2 results" in html
