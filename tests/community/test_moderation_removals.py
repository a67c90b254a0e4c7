"""What a moderator removes stays with the moderators, on every surface.

A moderator edits a reply to take out a private address and gives its thread a new title; a
member had quoted the reply. Each surface is checked before the decision (the words are there,
so the check can see them) and after it, as a visitor, a member, the post's author and a
moderator: only the moderators' view of the edit history still holds the removed words.
"""

import json

import pytest
from django.test import Client

from community import emails, markdown, services
from community.models import (
    Follow,
    FollowLevel,
    ModerationAction,
    Notification,
    Post,
    Thread,
    WatchedWord,
)
from community.services import moderation
from community.services.exports import member_data
from digest import content
from tests.factories import (
    ForumFactory,
    UserFactory,
    backdate,
    digest_period,
    during_period,
    make_moderator,
    make_staff,
    make_thread,
)

pytestmark = pytest.mark.django_db

BODY = "Kanaalstraat"  # the address a moderator takes out of a reply
TITLE = "Zebraweg"  # the street a moderator takes out of the thread's title
REASON = "Removed the home address of a resident."
ACTORS = ["anonymous", "member", "author", "moderator"]


@pytest.fixture
def scene(db):
    """A public thread whose title names a street; a reply names an address; a member quotes it."""
    forum = ForumFactory(slug="open-forum", name="Open forum")
    author = UserFactory(username="alex", display_name="Alex Author")
    member = UserFactory(username="mira", display_name="Mira Member")
    quoter = UserFactory(username="quinn", display_name="Quinn Quoter")
    moderator = make_moderator("moderator")
    for watcher in (member, moderator):
        Follow.objects.create(user=watcher, forum=forum, level=FollowLevel.WATCHING)
    thread = make_thread(forum, author, title=f"Rally at {TITLE} 7", body="Who joins the rally?")
    reply = services.post_create(author=author, thread=thread, body="Bring banners.")
    services.post_edit(editor=author, post=reply, body=f"Bring banners. J. Doe lives at {BODY} 12.")
    quoted = markdown.quote(
        text=reply.body_markdown,
        username="alex",
        permalink=reply.get_absolute_url(),
        label="wrote in post #2",
    )
    quote = services.post_create(author=quoter, thread=thread, body=f"{quoted}Count me in.")
    backdate(thread, during_period())
    return {
        "forum": forum,
        "thread": thread,
        "opening": thread.posts.get(number=1),
        "reply": Post.objects.get(pk=reply.pk),
        "quote": quote,
        "author": author,
        "member": member,
        "quoter": quoter,
        "moderator": moderator,
    }


def decide(scene):
    """Edit the reply and retitle the thread, as a moderator does it: through the review page."""
    client = Client()
    client.force_login(scene["moderator"])
    edit = {"action": "edit", "rule": "personal_data", "reason": REASON}
    reply = client.post(
        f"/moderation/posts/{scene['reply'].pk}/",
        {**edit, "body": "Bring banners. [Address removed by a moderator.]"},
    )
    opening = client.post(
        f"/moderation/posts/{scene['opening'].pk}/",
        {**edit, "body": scene["opening"].body_markdown, "title": "Rally in the city centre"},
    )
    assert (reply.status_code, opening.status_code) == (302, 302)


def client_for(scene, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(scene[actor])
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


def reply_history(client, scene):
    return page(client, f"/p/{scene['reply'].pk}/history/")


def opening_history(client, scene):
    return page(client, f"/p/{scene['opening'].pk}/history/")


def quote_history(client, scene):
    return page(client, f"/p/{scene['quote'].pk}/history/")


def thread_page(client, scene):
    thread = Thread.objects.get(pk=scene["thread"].pk)
    return page(client, thread.get_absolute_url())


def forum_pages(client, scene):
    return page(client, "/forums/open-forum/") + page(client, "/forums/")


def feeds(client, scene):
    return page(client, "/feeds/forums/") + page(client, "/feeds/forums/open-forum/")


def search(client, scene):
    # Asked in lower case: the page repeats the query, the results keep the words' capitals.
    return page(client, f"/search/?q={BODY.lower()}") + page(client, f"/search/?q={TITLE.lower()}")


def notifications(client, scene):
    return page(client, "/notifications/")


# Per surface: the words it shows before the decision, and those moderators still see after it.
SURFACES = {
    reply_history: ({BODY, TITLE}, {BODY}),
    opening_history: ({TITLE}, {TITLE}),
    quote_history: ({TITLE}, {BODY}),
    thread_page: ({BODY, TITLE}, set()),
    forum_pages: ({TITLE}, set()),
    feeds: ({TITLE}, set()),
    search: ({BODY, TITLE}, set()),
    notifications: ({TITLE}, set()),
}
SIGNED_IN_ONLY = {notifications}


@pytest.mark.parametrize(
    ("surface", "actor"),
    [
        (surface, actor)
        for surface in SURFACES
        for actor in ACTORS
        if not (actor == "anonymous" and surface in SIGNED_IN_ONLY)
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_removed_words_are_on_no_surface_but_the_moderators_history(scene, surface, actor):
    before, kept_for_moderators = SURFACES[surface]
    client = client_for(scene, actor)
    seen = surface(client, scene)  # also fills the page and fragment caches
    for word in before:
        assert word in seen, word
    decide(scene)
    seen = surface(client, scene)
    for word in (BODY, TITLE):
        assert (word in seen) is (actor == "moderator" and word in kept_for_moderators), word


@pytest.mark.parametrize("actor", ["anonymous", "member", "author"])
def test_members_see_that_a_moderator_edited_and_why(scene, actor):
    decide(scene)
    html = reply_history(client_for(scene, actor), scene)
    assert "Edited by a moderator" in html
    assert "Personal data of someone" in html
    assert REASON in html
    assert "The text before this edit is seen by moderators only." in html
    assert scene["moderator"].get_display_name() not in html
    assert "[Address removed by a moderator.]" not in html  # no diff against hidden text either


def test_moderators_see_the_removed_text_marked_as_theirs(scene):
    decide(scene)
    moderator = client_for(scene, "moderator")
    review = page(moderator, f"/moderation/posts/{scene['reply'].pk}/")
    assert f"/p/{scene['reply'].pk}/history/" in review
    html = reply_history(moderator, scene)
    assert f"J. Doe lives at {BODY} 12." in html
    assert "Moderators only" in html
    assert REASON in html
    title = opening_history(client_for(scene, "moderator"), scene)
    assert f"Rally at {TITLE} 7" in title
    assert "Rally in the city centre" in title


def test_the_thread_gets_a_new_address_and_old_links_still_lead_there(client, scene):
    old_url = scene["thread"].get_absolute_url()
    decide(scene)
    thread = Thread.objects.get(pk=scene["thread"].pk)
    assert thread.slug == "rally-in-the-city-centre"
    response = client.get(old_url)
    assert response.status_code == 302
    assert response.url == thread.get_absolute_url()


def test_the_quote_keeps_who_and_where_and_says_the_text_was_removed(scene):
    decide(scene)
    quote = Post.objects.get(pk=scene["quote"].pk)
    assert BODY not in quote.body_markdown + quote.body_html
    assert f"[wrote in post #2](/p/{scene['reply'].pk}/)" in quote.body_markdown
    assert "The quoted text was removed by a moderator." in quote.body_html
    assert "Count me in." in quote.body_html


def test_exports_carry_neither_the_removed_text_nor_the_old_title(scene):
    exports = lambda: {  # noqa: E731
        who: json.dumps(member_data(scene[who]), default=str) for who in ("author", "quoter")
    }
    before = exports()
    for data in before.values():
        assert BODY in data
        assert TITLE in data
    decide(scene)
    for who, data in exports().items():
        assert BODY not in data, who
        assert TITLE not in data, who


def test_the_digest_names_the_thread_by_its_new_title_and_address(scene):
    start, end = digest_period()

    def member_digest():
        built = content.build(
            user=scene["member"], kind="weekly", period_start=start, period_end=end
        )
        return " ".join(f"{item.title} {item.url}" for item in built.new_threads)

    assert TITLE in member_digest()
    decide(scene)
    text = member_digest()
    assert "Rally in the city centre" in text
    assert TITLE not in text
    assert TITLE.lower() not in text


def test_a_notification_email_sent_after_the_decision_uses_the_new_title(scene):
    entry = Notification.objects.get(recipient=scene["member"], kind="new_thread")

    def email_text():
        message = emails.BUILDERS["notification"](notification_id=entry.pk)
        return message.subject + message.body

    assert TITLE in email_text()
    decide(scene)
    assert TITLE not in email_text()
    assert TITLE.lower() not in email_text()


def test_a_post_released_from_review_with_an_edit_keeps_the_held_text_for_moderators(scene):
    WatchedWord.objects.create(pattern="Elandstraat")
    forum, author = scene["forum"], scene["author"]
    held_thread = services.thread_create(
        author=author, forum=forum, title="March past Elandstraat 3", body="Held words."
    )
    held_reply = services.post_create(
        author=author, thread=scene["thread"], body="Also Elandstraat 5, at night."
    )
    assert held_thread.is_hidden
    assert held_reply.is_hidden
    for post, title in [(held_thread.posts.get(number=1), "A march"), (held_reply, "")]:
        moderation.moderation_act(
            moderator=scene["moderator"],
            post=post,
            kind="edit",
            rule="operational",
            reason="Let through without the street.",
            body="Let through.",
            title=title,
        )
        post.refresh_from_db()
        assert not post.is_hidden
    for actor in ["anonymous", "member", "author", "moderator"]:
        client = client_for(scene, actor)
        history = page(client, f"/p/{held_reply.pk}/history/")
        history += page(client, f"/p/{held_thread.posts.get(number=1).pk}/history/")
        assert ("Elandstraat" in history) is (actor == "moderator"), actor
        assert "Let through without the street." in history
        listing = forum_pages(client, scene) + feeds(client, scene)
        assert "A march" in listing
        assert "Elandstraat" not in listing + page(
            client, Thread.objects.get(pk=held_thread.pk).get_absolute_url()
        )


def test_edits_by_staff_through_the_edit_form_keep_the_old_text_from_members(scene):
    staff = make_staff("staff-editor")
    client = client_for(scene, "member")
    staff_client = Client()
    staff_client.force_login(staff)
    response = staff_client.post(f"/p/{scene['reply'].pk}/edit/", {"body": "Bring banners."})
    assert response.status_code == 302
    html = reply_history(client, scene)
    assert BODY not in html
    assert "Edited by a moderator" in html
    assert BODY in reply_history(staff_client, scene)


def test_the_authors_own_edits_stay_public(client, scene):
    html = reply_history(client, scene)
    assert BODY in html
    assert "Bring banners." in html
    assert "Alex Author" in html


def test_overturning_an_edit_on_appeal_brings_back_text_and_title(scene):
    decide(scene)
    second = make_moderator("second-moderator")
    for post in (scene["reply"], scene["opening"]):
        action = ModerationAction.objects.get(post=post, kind="edit")
        appeal = moderation.appeal_create(member=scene["author"], action=action, text="Public.")
        moderation.appeal_decide(moderator=second, appeal=appeal, overturn=True, reason="Fine.")
    thread = Thread.objects.get(pk=scene["thread"].pk)
    assert thread.title == f"Rally at {TITLE} 7"
    assert thread.slug == "rally-at-zebraweg-7"
    assert BODY in Post.objects.get(pk=scene["reply"].pk).body_markdown
    html = reply_history(client_for(scene, "member"), scene)
    assert "Overturned a decision on appeal" in html
    assert "Fine." in html


@pytest.mark.parametrize("kind", ["hide", "delete"])
def test_hiding_or_deleting_a_post_takes_it_out_of_the_quotes_too(scene, kind):
    moderation.moderation_act(
        moderator=scene["moderator"], post=scene["reply"], kind=kind, rule="personal_data",
        reason=REASON,
    )  # fmt: skip
    quote = Post.objects.get(pk=scene["quote"].pk)
    assert BODY not in quote.body_markdown + quote.body_html
    html = page(
        client_for(scene, "member"), Thread.objects.get(pk=scene["thread"].pk).get_absolute_url()
    )
    assert BODY not in html
    assert "Count me in." in html


def test_titles_are_not_changed_in_the_django_admin(scene):
    admin = make_staff("admin", is_superuser=True)
    client = Client()
    client.force_login(admin)
    thread = scene["thread"]
    response = client.post(
        f"/django-admin/community/thread/{thread.pk}/change/",
        {
            "forum": thread.forum_id,
            "title": "Changed around the moderators",
            "slug": "changed",
            "tags": "",
            "author": thread.author_id,
            "case_study": "",
        },
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == f"Rally at {TITLE} 7"


# Quotes: the Markdown side ----------------------------------------------------------------------


def test_quote_redact_keeps_the_heading_and_everything_around_the_quote():
    text = (
        "Before.\r\n\r\n"
        "> @alex [wrote in post #2](/p/7/):\r\n"
        ">\r\n"
        "> Secret line one\r\n"
        "> > @bo [wrote in post #1](/p/8/):\r\n"
        "> >\r\n"
        "> > Other words\r\n"
        "\r\n"
        "After.\r\n"
    )
    redacted = markdown.quote_redact(text, post_id=7, note="Removed.")
    assert redacted.splitlines() == [
        "Before.",
        "",
        "> @alex [wrote in post #2](/p/7/):",
        ">",
        "> *Removed.*",
        "",
        "After.",
    ]
    nested = markdown.quote_redact(text, post_id=8, note="Removed.")
    assert "> Secret line one" in nested
    assert "> > *Removed.*" in nested
    assert "Other words" not in nested
    assert markdown.quote_redact(text, post_id=9, note="Removed.") == text
    assert markdown.quote_redact("See [post](/p/7/).", post_id=7, note="Removed.") == (
        "See [post](/p/7/)."
    )


def test_the_migration_hides_what_moderators_removed_before_the_revisions_said_so(scene):
    """Edits made before this change are hidden by the data migration, decision linked."""
    import importlib

    from django.apps import apps

    from community.models import PostRevision

    migration = importlib.import_module("community.migrations.0015_post_revision_moderation")
    decide(scene)
    staff = make_staff("staff-editor")
    services.post_edit(editor=staff, post=scene["quote"], body="Edited by staff.")
    PostRevision.objects.update(is_hidden=False, moderation_action=None)  # as the data was
    migration.hide_moderated_history(apps, None)
    reply_revisions = PostRevision.objects.filter(post=scene["reply"]).order_by("created_at")
    assert [r.is_hidden for r in reply_revisions] == [True, True]
    assert reply_revisions.last().moderation_action.reason == REASON
    assert all(PostRevision.objects.filter(post=scene["quote"]).values_list("is_hidden", flat=True))
    html = reply_history(client_for(scene, "member"), scene)
    assert BODY not in html
    assert REASON in html
