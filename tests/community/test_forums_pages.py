"""Forum pages as members meet them: writing, bad input, quoting, permalinks, caching, queries."""

import pytest
from django.urls import reverse

from community import services
from community.models import Post, Thread
from community.services.moderation import moderation_act
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    return ForumFactory(name="Engagement", slug="engagement")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return member


def test_member_starts_a_thread_with_markdown(client, signed_in, forum):
    response = client.post(
        "/forums/engagement/new/",
        {
            "title": "Answering helicopter questions",
            "tags": "Transparency, riots",
            "body": "**Fast**",
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response.url == thread.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "<strong>Fast</strong>" in page
    assert sorted(thread.tags.names()) == ["riots", "transparency"]


def test_preview_shows_the_rendered_text_and_saves_nothing(client, signed_in, forum):
    response = client.post(
        "/forums/engagement/new/", {"title": "Draft", "body": "~~old~~ new", "preview": "1"}
    )
    assert response.status_code == 200
    assert b"<s>old</s> new" in response.content
    assert b"Preview" in response.content
    assert not Thread.objects.exists()


BAD_THREADS = [
    ({"title": "", "body": "text"}, "Give the thread a title."),
    ({"title": "   ", "body": "text"}, "Give the thread a title."),
    ({"title": "T" * 300, "body": "text"}, "at most 200 characters long; this one has 300"),
    ({"title": "Fine", "body": " \n\t "}, "Write something before you post"),
    (
        {"title": "Fine", "body": "x" * 200_000},
        "at most 50000 characters long; this one has 200000",
    ),
    ({"title": "Fine", "body": "text", "tags": "a,b,c,d,e,f"}, "Choose at most 5 tags."),
]


@pytest.mark.parametrize(("data", "message"), BAD_THREADS)
def test_bad_thread_input_is_explained_kept_and_changes_nothing(client, signed_in, forum, data,
                                                                message):  # fmt: skip
    response = client.post("/forums/engagement/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    for value in data.values():
        if value.strip():
            assert value[:1000] in response.content.decode()
    assert not Thread.objects.exists()
    forum.refresh_from_db()
    assert forum.thread_count == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before you post"),
        ("   \n  ", "Write something before you post"),
        ("y" * 200_000, "at most 50000 characters long; this one has 200000"),
    ],
)
def test_bad_replies_are_explained_kept_and_change_nothing(client, signed_in, forum, body, message):
    thread = make_thread(forum)
    response = client.post(f"/t/{thread.pk}/reply/", {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert body.strip()[:1000] in response.content.decode()
    assert Post.objects.count() == 1


def test_reply_to_a_locked_thread_is_refused_keeping_the_text(client, signed_in, forum):
    thread = make_thread(forum)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    response = client.post(f"/t/{thread.pk}/reply/", {"body": "My careful answer"})
    assert response.status_code == 403
    assert "This thread is locked" in response.content.decode()
    assert "My careful answer" in response.content.decode()
    assert Post.objects.count() == 1


def test_reply_to_a_thread_the_member_may_not_see_is_404(client, signed_in):
    thread = make_thread(ForumFactory(audience="verified"))
    response = client.post(f"/t/{thread.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 404
    assert Post.objects.count() == 1


def test_member_without_verified_email_cannot_post(client, forum):
    client.force_login(UserFactory(verified_email=False))
    thread = make_thread(forum)
    response = client.post(f"/t/{thread.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 403
    assert "Confirm your email address" in response.content.decode()
    assert client.post("/forums/engagement/new/", {"title": "T", "body": "B"}).status_code == 400
    assert Thread.objects.count() == 1


# Not named "page": that is pytest-playwright's browser page fixture.
@pytest.mark.parametrize("number", ["0", "-1", "abc", "1.5"])
def test_unknown_page_numbers_are_404(client, forum, number):
    thread = make_thread(forum, replies=25)  # two pages of 20
    assert client.get(f"{thread.get_absolute_url()}?page={number}").status_code == 404
    assert client.get(f"/forums/engagement/?page={number}").status_code == 404


def test_a_page_past_the_end_goes_to_the_last_page(client, forum):
    thread = make_thread(forum, replies=25)  # two pages of 20
    response = client.get(f"{thread.get_absolute_url()}?page=3")
    assert response.url == f"{thread.get_absolute_url()}?page=2"
    assert client.get("/forums/engagement/?page=3").url == "/forums/engagement/"


def test_writes_refuse_get(client, signed_in, forum):
    thread = make_thread(forum)
    post = thread.last_post
    for url in [
        f"/t/{thread.pk}/reply/",
        f"/p/{post.pk}/delete/",
        f"/p/{post.pk}/helpful/",
        "/notifications/read/",
    ]:
        assert client.get(url).status_code == 405, url
    assert Post.objects.get().is_deleted is False


def test_permalink_lands_on_the_right_page_and_post(client, forum):
    thread = make_thread(forum, replies=24)
    post = thread.posts.get(number=21)
    response = client.get(f"/p/{post.pk}/")
    assert response.url == f"{thread.get_absolute_url()}?page=2#post-{post.pk}"
    assert f'id="post-{post.pk}"'.encode() in client.get(response.url).content


def test_wrong_slug_redirects_to_the_thread(client, forum):
    thread = make_thread(forum, title="Real title")
    response = client.get(f"/t/{thread.pk}/old-title/?page=1")
    assert response.status_code == 302
    assert response.url == f"{thread.get_absolute_url()}?page=1"


def test_quote_link_prefills_the_reply_with_attribution(client, signed_in, forum):
    author = UserFactory(username="mira")
    thread = make_thread(forum, author, body="Report first,\npost second.")
    post = thread.last_post
    response = client.get(f"{thread.get_absolute_url()}?quote={post.pk}")
    html = response.content.decode()
    assert f"&gt; @mira [wrote in post #1](/p/{post.pk}/):" in html
    assert "&gt; Report first," in html
    assert "&gt; post second." in html


def test_edit_shows_history_with_who_and_what(client, signed_in, forum):
    thread = make_thread(forum, signed_in, body="Old line")
    post = thread.last_post
    response = client.post(f"/p/{post.pk}/edit/", {"body": "New line"})
    assert response.status_code == 302
    assert b"edited" in client.get(response.url).content
    history = client.get(f"/p/{post.pk}/history/").content.decode()
    assert "Old line" in history
    assert "New line" in history
    assert signed_in.get_display_name() in history


def test_only_the_author_may_edit_or_delete(client, forum):
    thread = make_thread(forum)
    client.force_login(UserFactory())
    post = thread.last_post
    assert client.post(f"/p/{post.pk}/edit/", {"body": "Hijack"}).status_code == 403
    assert client.post(f"/p/{post.pk}/delete/").status_code == 403
    post.refresh_from_db()
    assert (post.body_markdown, post.is_deleted) == ("The first post.", False)


def test_deleted_posts_keep_their_place_without_their_text(client, signed_in, forum):
    thread = make_thread(forum, signed_in, body="Regrettable words")
    post = thread.last_post
    client.post(f"/p/{post.pk}/delete/")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "This post was deleted." in html
    assert "Regrettable words" not in html
    assert client.get(f"/p/{post.pk}/history/").status_code == 404


def test_helpful_reaction_counts_once_and_not_on_own_posts(client, signed_in, forum):
    thread = make_thread(forum)
    post = thread.last_post
    client.post(f"/p/{post.pk}/helpful/")
    post.refresh_from_db()
    assert post.helpful_count == 1
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html
    own = services.post_create(author=signed_in, thread=thread, body="mine")
    assert client.post(f"/p/{own.pk}/helpful/").status_code == 403


def test_notifications_lead_to_the_post_and_can_be_marked_read(client, signed_in, forum):
    thread = make_thread(forum, signed_in)
    answer = services.post_create(author=UserFactory(), thread=thread, body="An answer")
    html = client.get("/notifications/").content.decode()
    assert f'href="/p/{answer.pk}/"' in html
    assert 'class="header-count">1<' in html
    client.post("/notifications/read/")
    assert 'class="header-count"' not in client.get("/notifications/").content.decode()


def test_unread_markers_and_jump_to_first_unread(client, signed_in, forum):
    thread = make_thread(forum, replies=2)
    page = client.get("/forums/engagement/").content.decode()
    assert ">New<" in page
    client.get(thread.get_absolute_url())
    new = services.post_create(author=thread.author, thread=thread, body="Later news")
    page = client.get("/forums/engagement/").content.decode()
    assert "1 unread post" in page
    response = client.get(reverse("community:thread_unread", args=[thread.pk, thread.slug]))
    assert response.url.endswith(f"#post-{new.pk}")


def test_forum_page_sorts_pins_and_filters_by_tag(client, forum):
    old = make_thread(forum, title="Old but pinned")
    Thread.objects.filter(pk=old.pk).update(is_pinned=True)
    make_thread(forum, title="Tagged", tags=["osint"])
    make_thread(forum, title="Busy", replies=3)
    html = client.get("/forums/engagement/?sort=replies").content.decode()
    assert html.index("Old but pinned") < html.index("Busy") < html.index("Tagged")
    html = client.get("/forums/engagement/?tag=osint").content.decode()
    assert "Tagged" in html
    assert "Busy" not in html
    assert client.get("/forums/engagement/?tag=nope").status_code == 404


def test_anonymous_pages_are_cached_and_invalidated_by_new_content(client, forum):
    thread = make_thread(forum, title="Cached thread")
    assert b"Cached thread" in client.get("/forums/").content
    services.post_create(author=thread.author, thread=thread, body="A fresh reply")
    assert b"A fresh reply" in client.get(thread.get_absolute_url()).content
    # An editor closes the forum to the public in the admin: visitors lose it at once.
    forum.audience = "members"
    forum.save()
    assert b"Cached thread" not in client.get("/forums/").content
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_cached_pages_carry_this_response_s_nonce(client, forum):
    make_thread(forum)
    client.get("/forums/")
    response = client.get("/forums/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content


def test_sorting_by_replies_counts_only_the_replies_members_can_see(client, forum):
    make_thread(forum, title="Two visible replies", replies=2)
    spammed = make_thread(forum, title="Spammed", replies=4)
    moderator = make_moderator()
    for post in spammed.posts.filter(number__gt=2):
        moderation_act(moderator=moderator, post=post, kind="hide", reason="Spam.", rule="spam")
    html = client.get("/forums/engagement/?sort=replies").content.decode()
    assert html.index("Two visible replies") < html.index("Spammed")


def test_a_thread_page_links_its_tags_to_the_tag_pages(client, forum):
    thread = make_thread(forum, title="Tagged", tags=["osint", "live incidents"])
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'href="/tags/osint/"' in html
    assert 'href="/tags/live-incidents/"' in html
    assert client.get("/tags/live-incidents/").status_code == 200
