"""One-click unsubscribe (RFC 8058), the digest settings page and consent at sign-up."""

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from community.models import DigestSubscription, DigestTopic, Follow, FollowLevel, User
from digest import preferences
from knowledgebase.models import Theme
from tests.factories import ForumFactory, UserFactory, as_told, make_thread, subscribe

pytestmark = pytest.mark.django_db

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def ann(db):
    user = UserFactory(username="ann")
    subscribe(user)
    return user


def frequency(user):
    return DigestSubscription.objects.get(user=user).frequency


def url_for(token):
    return reverse("digest:unsubscribe", args=[token])


def cookieless():
    """A client like a mail provider's: no session, no CSRF cookie, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def test_a_cookieless_one_click_post_with_the_token_unsubscribes(ann):
    url = url_for(preferences.unsubscribe_token(user_id=ann.pk))
    client = cookieless()
    response = client.post(url, ONE_CLICK)
    assert response.status_code == 200
    assert frequency(ann) == "off"
    assert not response.cookies.get("csrftoken")
    # Posting again (mail providers retry) is harmless.
    assert client.post(url, ONE_CLICK).status_code == 200
    assert frequency(ann) == "off"


def test_the_header_in_the_email_leads_to_the_one_click_endpoint(ann):
    message_url = preferences.unsubscribe_url(user_id=ann.pk)
    path = message_url.removeprefix("http://127.0.0.1:8000")
    assert cookieless().post(path, ONE_CLICK).status_code == 200
    assert frequency(ann) == "off"


def test_a_get_shows_the_choices_and_changes_nothing(ann):
    forum = ForumFactory(slug="rumours", name="Rumour control")
    Follow.objects.create(user=ann, forum=forum, level=FollowLevel.WATCHING)
    url = url_for(preferences.unsubscribe_token(user_id=ann.pk, item=f"forum:{forum.pk}"))
    response = cookieless().get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Stop the digest" in content
    assert "Only stop Rumour control" in content
    assert 'method="post"' in content
    assert "noindex" in content
    assert frequency(ann) == "weekly"
    assert Follow.objects.get(user=ann, forum=forum).level == FollowLevel.WATCHING
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_can_stop_only_one_followed_item(ann):
    forum = ForumFactory(slug="rumours", name="Rumour control")
    Follow.objects.create(user=ann, forum=forum, level=FollowLevel.WATCHING)
    theme = Theme.objects.get(slug="dark-web")
    client = cookieless()
    token = preferences.unsubscribe_token(user_id=ann.pk, item=f"forum:{forum.pk}")
    response = client.post(url_for(token), {"scope": "item"})
    assert "leaves out Rumour control" in response.content.decode()
    assert Follow.objects.get(user=ann, forum=forum).level == FollowLevel.MUTED
    token = preferences.unsubscribe_token(user_id=ann.pk, item=f"theme:{theme.pk}")
    client.post(url_for(token), {"scope": "item"})
    assert DigestTopic.objects.get(user=ann, theme=theme).level == FollowLevel.MUTED
    assert frequency(ann) == "weekly"
    client.post(url_for(token), {"scope": "all"})
    assert frequency(ann) == "off"


def test_the_page_no_longer_names_a_tag_the_member_may_no_longer_see(ann):
    forum = ForumFactory(slug="open")
    make_thread(forum, title="Tagged", tags=["operation nightfall"])
    tag = Tag.objects.get(name="operation nightfall")
    url = url_for(preferences.unsubscribe_token(user_id=ann.pk, item=f"tag:{tag.pk}"))
    assert "Only stop operation nightfall" in cookieless().get(url).content.decode()
    forum.audience = "verified"
    forum.save()
    content = cookieless().get(url).content.decode()
    assert "nightfall" not in content
    assert "Stop the digest" in content


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda user: preferences.unsubscribe_token(user_id=user.pk)[:-3] + "abc", id="tampered"
        ),
        pytest.param(lambda user: "not-a-token", id="garbage"),
        pytest.param(
            lambda user: signing.dumps({"u": user.pk}, salt="community.verification.confirm"),
            id="signed-for-something-else",
        ),
        pytest.param(lambda user: signing.dumps({"u": user.pk}), id="unsalted"),
    ],
)
def test_a_tampered_or_foreign_token_is_refused_and_changes_nothing(ann, make_token):
    url = url_for(make_token(ann))
    client = cookieless()
    assert client.get(url).status_code == 400
    response = client.post(url, ONE_CLICK)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert frequency(ann) == "weekly"


def test_a_token_for_a_deleted_member_is_not_found(ann):
    url = url_for(preferences.unsubscribe_token(user_id=ann.pk))
    other = UserFactory(username="other")
    subscribe(other)
    ann.delete()
    assert cookieless().post(url, ONE_CLICK).status_code == 404
    assert frequency(other) == "weekly"


def test_one_members_token_cannot_unsubscribe_another(ann):
    bob = UserFactory(username="bob")
    subscribe(bob)
    cookieless().post(url_for(preferences.unsubscribe_token(user_id=ann.pk)), ONE_CLICK)
    assert (frequency(ann), frequency(bob)) == ("off", "weekly")


# Settings page


def test_digest_settings_need_a_signed_in_member(client):
    response = client.get(reverse("digest:settings"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_members_choose_frequency_and_what_they_follow_or_mute(client, ann):
    visible = ForumFactory(slug="open", name="Open forum")
    hidden = ForumFactory(slug="closed", name="Verified forum", audience="verified")
    make_thread(visible, title="Tagged", tags=["osint", "riots"])
    theme = Theme.objects.get(slug="dark-web")
    client.force_login(ann)
    page = client.get(reverse("digest:settings"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Open forum" in content
    assert "Verified forum" not in content
    assert 'value="weekly"' in content
    assert "checked" in content

    response = client.post(
        reverse("digest:settings"),
        {
            "frequency": "daily",
            "follow_forums": [visible.pk],
            "follow_tags": "osint",
            "mute_tags": "Riots",
            "follow_themes": [theme.pk],
            "mute_classifications": ["ugly"],
        },
    )
    assert response.status_code == 302
    assert frequency(ann) == "daily"
    assert Follow.objects.get(user=ann, forum=visible).level == FollowLevel.WATCHING
    tags = dict(
        Follow.objects.filter(user=ann, tag__isnull=False).values_list("tag__name", "level")
    )
    assert tags == {"osint": FollowLevel.WATCHING, "riots": FollowLevel.MUTED}
    assert DigestTopic.objects.get(user=ann, theme=theme).level == FollowLevel.WATCHING
    assert DigestTopic.objects.get(user=ann, classification="ugly").level == FollowLevel.MUTED
    prefs = preferences.preferences_get(user=ann)
    assert (prefs.follow_tags, prefs.mute_classifications) == (["osint"], ["ugly"])

    # A forum the member cannot see cannot be chosen; unticking removes a follow.
    response = client.post(
        reverse("digest:settings"), {"frequency": "weekly", "follow_forums": [hidden.pk]}
    )
    assert response.status_code == 400
    client.post(reverse("digest:settings"), {"frequency": "off"})
    assert frequency(ann) == "off"
    assert not Follow.objects.filter(user=ann, thread__isnull=True).exists()
    assert not DigestTopic.objects.filter(user=ann).exists()


def test_following_and_muting_the_same_item_is_refused(client, ann):
    forum = ForumFactory(slug="open")
    Tag.objects.create(name="osint", slug="osint")
    client.force_login(ann)
    response = client.post(
        reverse("digest:settings"),
        {
            "frequency": "weekly",
            "follow_forums": [forum.pk],
            "mute_forums": [forum.pk],
            "follow_tags": "nonsense-tag",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "You cannot follow and mute the same item" in content
    assert "No thread or case study has the tag" in content
    assert not Follow.objects.filter(user=ann).exists()


def test_follows_for_forums_a_member_lost_access_to_are_kept(client, ann):
    hidden = ForumFactory(slug="closed", audience="verified")
    Follow.objects.create(user=ann, forum=hidden, level=FollowLevel.MUTED)
    client.force_login(ann)
    client.post(reverse("digest:settings"), {"frequency": "weekly"})
    assert Follow.objects.filter(user=ann, forum=hidden).exists()


def test_a_tag_on_nothing_the_member_may_see_is_treated_like_a_missing_tag(client, ann):
    closed = ForumFactory(slug="closed", audience="verified")
    make_thread(closed, title="Closed", tags=["operation nightfall"])
    client.force_login(ann)
    url = reverse("digest:settings")
    restricted, missing = (
        client.post(url, {"frequency": "weekly", "follow_tags": name})
        for name in ["operation nightfall", "operation daybreak"]
    )
    assert "No thread or case study has the tag “operation daybreak”" in missing.content.decode()
    assert as_told(restricted, "operation nightfall") == as_told(missing, "operation daybreak")
    assert not Follow.objects.filter(user=ann).exists()
    # Followed while it was visible: not shown, and kept by a save, as for a forum.
    tag = Tag.objects.get(name="operation nightfall")
    Follow.objects.create(user=ann, tag=tag, level=FollowLevel.WATCHING)
    assert "nightfall" not in client.get(url).content.decode()
    client.post(url, {"frequency": "weekly"})
    assert Follow.objects.filter(user=ann, tag=tag).exists()


# Sign-up

SIGNUP = {
    "email": "newcomer@example.eu",
    "username": "newcomer",
    "password1": "a-long-unusual-passphrase-7",
    "password2": "a-long-unusual-passphrase-7",
    "accept_terms": "on",
}


def test_sign_up_offers_the_digest_with_an_unticked_box(client):
    content = client.get(reverse("account_signup")).content.decode()
    box = content[
        content.index('name="digest_consent"') - 200 : content.index('name="digest_consent"') + 200
    ]
    assert 'type="checkbox"' in box
    assert "checked" not in box
    assert "Send me the weekly digest" in content


def test_sign_up_without_consent_sends_no_digest(client):
    assert client.post(reverse("account_signup"), SIGNUP).status_code == 302
    user = User.objects.get(username="newcomer")
    assert frequency(user) == "off"
    assert len(mail.outbox) == 1  # the address confirmation only


def test_sign_up_with_consent_gets_the_weekly_digest(client):
    assert (
        client.post(reverse("account_signup"), {**SIGNUP, "digest_consent": "on"}).status_code
        == 302
    )
    assert frequency(User.objects.get(username="newcomer")) == "weekly"
