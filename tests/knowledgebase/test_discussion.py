"""Each published case study has a discussion thread, and each side links to the other."""

import pytest
from django.urls import reverse

from community.models import Forum, Thread
from knowledgebase.models import CaseStudyPage
from tests.factories import ForumFactory, UserFactory, make_case_study, make_staff, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_staff("editor", is_superuser=True)


def publish(page, user):
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def test_first_publication_starts_one_discussion_in_the_configured_forum(
    editor, django_capture_on_commit_callbacks
):
    page = make_case_study("Rumour control during a flood", publish=False, tags=["rumours"])
    with django_capture_on_commit_callbacks(execute=True):
        publish(page, editor)
    [thread] = Thread.objects.filter(case_study=page)
    assert thread.forum.slug == "case-study-discussions"
    assert thread.title == "Rumour control during a flood"
    assert thread.author == editor
    assert list(thread.tags.names()) == ["rumours"]
    opening = thread.posts.get(number=1)
    assert page.url in opening.body_html

    with django_capture_on_commit_callbacks(execute=True):
        publish(page, editor)  # a later edit and publication
    assert Thread.objects.filter(case_study=page).count() == 1


def test_a_restricted_case_study_is_discussed_in_a_forum_of_the_same_audience(
    editor, django_capture_on_commit_callbacks
):
    ForumFactory(slug="members-room", audience="members")
    page = make_case_study("Doxxing of officers", publish=False, audience="members")
    with django_capture_on_commit_callbacks(execute=True):
        publish(page, editor)
    assert Thread.objects.get(case_study=page).forum.slug == "members-room"


def test_no_forum_for_the_audience_means_no_public_thread(
    editor, django_capture_on_commit_callbacks
):
    Forum.objects.filter(audience="verified").delete()
    page = make_case_study("Undercover accounts", publish=False, audience="verified")
    with django_capture_on_commit_callbacks(execute=True):
        publish(page, editor)
    assert not Thread.objects.filter(case_study=page).exists()


def test_case_study_links_to_its_discussion_with_the_reply_count(client, editor):
    page = make_case_study("Live-streamed arrest")
    thread = make_thread(ForumFactory(), editor, title="Live-streamed arrest", replies=2)
    Thread.objects.filter(pk=thread.pk).update(case_study=page)
    html = client.get(page.url).content.decode()
    assert f'href="{thread.get_absolute_url()}"' in html
    assert "Discuss this case study" in html
    assert "2 replies so far" in html

    thread_html = client.get(thread.get_absolute_url()).content.decode()
    assert f'href="{page.url}"' in thread_html


def test_discussion_in_a_forum_the_reader_may_not_see_is_not_linked(client, editor):
    page = make_case_study("Crowd management")
    hidden = make_thread(ForumFactory(audience="verified"), editor, title="Crowd management")
    Thread.objects.filter(pk=hidden.pk).update(case_study=page)
    html = client.get(page.url).content.decode()
    assert hidden.get_absolute_url() not in html
    assert "not open to you" in html


def test_home_page_lists_active_discussions_the_visitor_may_see(client, editor):
    make_thread(ForumFactory(), editor, title="Open talk about community policing")
    make_thread(ForumFactory(audience="members"), editor, title="Members-only debrief")
    html = client.get("/").content.decode()
    assert "Open talk about community policing" in html
    assert "Members-only debrief" not in html
    client.force_login(editor)
    assert "Members-only debrief" in client.get("/").content.decode()


@pytest.fixture
def moderator(db):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    user = UserFactory(username="moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def test_moderator_turns_a_thread_into_a_draft_case_study(client, moderator, editor):
    thread = make_thread(
        ForumFactory(audience="members"), editor, title="Fake police accounts on TikTok",
        body="Someone impersonated our force on TikTok; here is what we did.",
    )  # fmt: skip
    client.force_login(moderator)
    url = reverse("knowledgebase:case_study_from_thread", args=[thread.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"classification": "ugly"})
    draft = CaseStudyPage.objects.get(title="Fake police accounts on TikTok")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[draft.pk])
    assert draft.live is False
    assert draft.classification == "ugly"
    assert draft.audience == "members"
    assert "impersonated our force" in draft.summary
    assert draft.get_latest_revision().user == moderator
    thread.refresh_from_db()
    assert thread.case_study_id == draft.pk


def test_only_moderators_may_turn_threads_into_case_studies(client, editor, member):
    thread = make_thread(ForumFactory(), editor)
    client.force_login(member)
    url = reverse("knowledgebase:case_study_from_thread", args=[thread.pk])
    assert client.post(url, {"classification": "good"}).status_code == 404
    assert not CaseStudyPage.objects.filter(title=thread.title).exists()


def test_a_bad_classification_changes_nothing(client, moderator, editor):
    thread = make_thread(ForumFactory(), editor)
    client.force_login(moderator)
    url = reverse("knowledgebase:case_study_from_thread", args=[thread.pk])
    response = client.post(url, {"classification": "excellent"}, follow=True)
    assert b"Choose whether the case is good, bad or ugly." in response.content
    assert not CaseStudyPage.objects.filter(title=thread.title).exists()
