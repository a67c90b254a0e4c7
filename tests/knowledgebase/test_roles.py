"""What each role may do in the Wagtail admin; a case study goes live only through both reviews.

The roles of the README: a visitor, a member, a verifier, a moderator (the ethics and privacy
step), an editor (writes, and the editorial step) and the site administrator (a superuser: the
only one who may publish past the review, and that is recorded in the page's history).
"""

import datetime
import io
import json

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageLogEntry,
    PageViewRestriction,
    Revision,
    TaskState,
    WorkflowState,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from knowledgebase.models import CaseStudyIndexPage, CaseStudyPage, StandardPage, Theme
from knowledgebase.tasks import publish_scheduled_pages
from tests.factories import ForumFactory, UserFactory, make_case_study, make_thread

pytestmark = pytest.mark.django_db

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLE_GROUPS = {"verifier": "Verifiers", "moderator": "Moderators", "editor": "Editors"}
ROLES = ["anonymous", "member", "verifier", "moderator", "editor", "administrator"]
PUBLISH_WITHOUT_REVIEW = "knowledgebase.publish_without_review"
CHECKLIST = {
    "personal_data": "none",
    "minors_or_victims": "handled",
    "operational_details": "none",
    "legal_basis": "n/a",
}


def make_role(role, username=None):
    """Return a user with *role* (None for "anonymous"), with the two-factor device roles need."""
    from allauth.mfa.totp.internal.auth import TOTP

    if role == "anonymous":
        return None
    admin = role == "administrator"
    user = UserFactory(username=username or role, is_superuser=admin, is_staff=admin)
    if role in ROLE_GROUPS:
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    if role != "member":
        TOTP.activate(user, TOTP_SECRET)
    return user


def png_bytes():
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def sign_in(client, role):
    user = make_role(role)
    if user is not None:
        client.force_login(user)
    return user


def approve(page, user, **data):
    page = CaseStudyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state.specific
    task_state.task.specific.on_action(task_state, user, "approve", **data)


def form_data(page, **changes):
    """Return what the page editor posts for *page*'s latest version, with *changes*."""
    page = page.get_latest_revision_as_object()
    data = {
        "title": page.title,
        "slug": page.slug,
        "classification": page.classification,
        "summary": page.summary,
        "body": streamfield([]),
        "sources": inline_formset([]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
        "audience": page.audience,
        **dict.fromkeys(
            [
                "group", "country", "year", "tags", "last_reviewed", "review_due",
                "seo_title", "search_description", "go_live_at", "expire_at",
            ],
            "",
        ),
    }  # fmt: skip
    data.update(changes)
    return {**nested_form_data(data), "themes": [Theme.objects.order_by("pk").first().pk]}


def live_without_review():
    """Return the live case studies (and those scheduled) no completed review approved."""
    approved = TaskState.objects.filter(
        status=TaskState.STATUS_APPROVED, workflow_state__status=WorkflowState.STATUS_APPROVED
    ).values("revision_id")
    live = CaseStudyPage.objects.live().exclude(live_revision__in=approved)
    scheduled = Revision.objects.filter(
        base_content_type__model="page", approved_go_live_at__isnull=False
    ).exclude(pk__in=approved)
    return [page.title for page in live] + [f"scheduled {rev.object_str}" for rev in scheduled]


@pytest.fixture
def elena():
    """The editor who writes the case study and approves the editorial step."""
    return make_role("editor", username="elena")


@pytest.fixture
def tomas():
    """The moderator who answers the ethics checklist."""
    return make_role("moderator", username="tomas")


@pytest.fixture
def waiting(elena, tomas):
    """A live case study for verified practitioners whose draft, opened to everyone, passed the
    editorial review and waits for the ethics checklist."""
    page = make_case_study(
        "Undercover accounts", publish=False, audience="verified", themes=["diy-policing"]
    )
    page.save_revision(user=elena)
    page.get_workflow().start(page, elena)
    approve(page, elena)
    approve(page, tomas, **CHECKLIST)
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert page.live
    assert live_without_review() == []

    page.audience = "public"
    page.save_revision(user=elena)
    page.get_workflow().start(page, elena)
    approve(page, elena)
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert page.current_workflow_task.name == "Ethics and privacy review"
    return page


def anonymous_status(page):
    return Client().get(page.url).status_code


# Every way a case study could go live. Each returns the page that would then be live.


def publish_in_the_editor(client, page):
    client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {**form_data(page), "action-publish": "publish"},
    )
    return page


def publish_a_new_one(client, page):
    url = reverse(
        "wagtailadmin_pages:add", args=["knowledgebase", "casestudypage", page.get_parent().pk]
    )
    data = form_data(page, title="Undercover accounts, told again", slug="told-again")
    client.post(url, {**data, "action-publish": "publish"})
    return CaseStudyPage.objects.filter(slug="told-again").first()


def revert_and_publish(client, page):
    revision = page.revisions.order_by("-pk").first()
    client.post(
        reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, revision.pk]),
        {**form_data(page), "action-publish": "publish"},
    )
    return page


def schedule(client, page):
    go_live = timezone.localtime() + datetime.timedelta(hours=1)
    data = form_data(page, go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), {**data, "action-publish": "publish"}
    )
    with time_machine.travel(go_live + datetime.timedelta(minutes=5), tick=False):
        publish_scheduled_pages()
    return page


def publish_in_bulk(client, page):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    client.post(f"{url}?id={page.pk}", {"include_descendants": ""})
    return page


def publish_through_the_admin_api(client, page):
    client.post(
        f"/admin/api/main/pages/{page.pk}/action/publish/", "{}", content_type="application/json"
    )
    return page


def copy_and_publish(client, page):
    client.post(
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        {
            "new_title": "Undercover accounts (copy)",
            "new_slug": "undercover-copy",
            "new_parent_page": page.get_parent().pk,
            "publish_copies": "on",
        },
    )
    return CaseStudyPage.objects.filter(slug="undercover-copy").first()


ATTEMPTS = {
    "editor": publish_in_the_editor,
    "new": publish_a_new_one,
    "revert": revert_and_publish,
    "schedule": schedule,
    "bulk": publish_in_bulk,
    "api": publish_through_the_admin_api,
    "copy": copy_and_publish,
}


def test_a_fresh_install_gives_each_group_the_wagtail_permissions_of_its_role():
    places = {
        Page.get_first_root_node().pk: "all pages",
        CaseStudyIndexPage.objects.get().pk: "library",
    }
    pages = {
        (grant.group.name, places.get(grant.page_id), grant.permission.codename)
        for grant in GroupPagePermission.objects.select_related("group", "permission")
    }
    assert pages == {
        ("Editors", "all pages", "add_page"),
        ("Editors", "all pages", "change_page"),
        ("Moderators", "library", "add_page"),  # their drafts from threads
    }
    collections = {
        (grant.group.name, grant.collection.depth, grant.permission.codename)
        for grant in GroupCollectionPermission.objects.select_related("group", "permission")
    }
    assert collections == {
        ("Editors", 1, f"{action}_{model}")
        for action in ["add", "change", "choose"]
        for model in ["document", "image"]
    }


@pytest.mark.parametrize("role", ["verifier", "moderator", "editor", "administrator"])
@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_only_the_site_administrator_publishes_past_the_review(client, waiting, role, attempt):
    user = sign_in(client, role)
    target = ATTEMPTS[attempt](client, waiting)

    target = target and CaseStudyPage.objects.get(pk=target.pk)
    if role != "administrator":
        assert live_without_review() == []
        assert anonymous_status(waiting) == 404  # the draft opened it to everyone
        assert target is None or not target.live or target.pk == waiting.pk
        return
    assert target.live
    if attempt != "copy":
        assert anonymous_status(target) == 200
    [record] = PageLogEntry.objects.filter(page=target, action=PUBLISH_WITHOUT_REVIEW)
    assert record.user_id == user.pk
    assert record.revision_id == target.live_revision_id
    history = client.get(reverse("wagtailadmin_pages:history", args=[target.pk]))
    assert "Published without the review workflow" in history.content.decode()


def test_the_completed_review_publishes_and_records_no_bypass(waiting, tomas):
    approve(waiting, tomas, **CHECKLIST)
    assert anonymous_status(waiting) == 200
    assert live_without_review() == []
    assert not PageLogEntry.objects.filter(action=PUBLISH_WITHOUT_REVIEW).exists()


def test_a_reviewed_case_study_scheduled_for_later_goes_live_as_reviewed(elena, tomas):
    go_live = timezone.now() + datetime.timedelta(days=1)
    page = make_case_study("Flood rumours", publish=False, themes=["diy-policing"])
    page.go_live_at = go_live
    page.save_revision(user=elena)
    page.get_workflow().start(page, elena)
    approve(page, elena)
    approve(page, tomas, **CHECKLIST)
    assert anonymous_status(page) == 404  # approved, waiting for its time

    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        publish_scheduled_pages()
    assert anonymous_status(page) == 200
    assert live_without_review() == []
    assert not PageLogEntry.objects.filter(action=PUBLISH_WITHOUT_REVIEW).exists()


@pytest.mark.parametrize("role", ROLES)
def test_publish_is_offered_next_to_the_checklist_to_the_site_administrator_only(
    client, waiting, role
):
    sign_in(client, role)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[waiting.pk]))
    html = response.content.decode()
    assert ('name="action-publish"' in html) is (role == "administrator")
    if role == "administrator":
        assert "Publish without review" in html
    # The ethics step is the moderators' (and the administrator's).
    assert ("Approve with ethics checklist" in html) is (role in {"moderator", "administrator"})
    if role in {"anonymous", "member", "verifier"}:
        assert response.status_code == 302


def test_an_edit_in_the_ethics_step_goes_back_to_the_editorial_review(client, waiting, tomas):
    client.force_login(tomas)
    data = form_data(waiting, summary="Names of the officers removed.")
    client.post(
        reverse("wagtailadmin_pages:edit", args=[waiting.pk]),
        {
            **data,
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": json.dumps(CHECKLIST),
        },
    )
    page = CaseStudyPage.objects.get(pk=waiting.pk)
    assert page.current_workflow_task.name == "Editorial review"
    assert anonymous_status(page) == 404


@pytest.fixture
def admin_pages(waiting):
    library = waiting.get_parent()
    return {
        "dashboard": "/admin/",
        "library": reverse("wagtailadmin_explore", args=[library.pk]),
        "new case study": reverse(
            "wagtailadmin_pages:add", args=["knowledgebase", "casestudypage", library.pk]
        ),
        "edit a live case study": reverse(
            "wagtailadmin_pages:edit", args=[make_case_study("Live and not in review").pk]
        ),
        "forums": "/admin/snippets/community/forum/",
        "documents": reverse("wagtaildocs:index"),
        "upload a document": reverse("wagtaildocs:add"),
        "images": reverse("wagtailimages:index"),
        "collections": reverse("wagtailadmin_collections:index"),
        "workflows": reverse("wagtailadmin_workflows:index"),
        "workflow tasks": reverse("wagtailadmin_workflows:task_index"),
        "groups": reverse("wagtailusers_groups:index"),
        "users": reverse("wagtailusers_users:index"),
        "sites": reverse("wagtailsites:index"),
    }


OPENS = {
    "anonymous": set(),
    "member": set(),
    "verifier": set(),
    "moderator": {"dashboard", "library", "new case study", "forums"},
    "editor": {
        "dashboard", "library", "new case study", "edit a live case study", "forums",
        "documents", "upload a document", "images",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_part_of_the_admin(client, admin_pages, role):
    sign_in(client, role)
    opened = set()
    for name, url in admin_pages.items():
        status = client.get(url).status_code
        assert status in {200, 302, 403}, name
        if status == 200:
            opened.add(name)
    assert opened == OPENS.get(role, set(admin_pages))


@pytest.mark.parametrize("role", ROLES)
def test_only_the_site_administrator_changes_who_may_see_a_page(client, role):
    page = make_case_study("Behind a log-in")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    sign_in(client, role)
    response = client.post(
        reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), {"restriction_type": "none"}
    )
    assert response.status_code < 500
    assert PageViewRestriction.objects.filter(page=page).exists() is (role != "administrator")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_site_administrator_takes_a_case_study_offline(client, role):
    page = make_case_study("Live and staying live")
    sign_in(client, role)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]), {})
    assert CaseStudyPage.objects.get(pk=page.pk).live is (role != "administrator")


@pytest.mark.parametrize("role", ROLES)
def test_editors_upload_and_choose_documents_and_images(client, role):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    get_document_model().objects.create(
        title="Press statement", file=SimpleUploadedFile("statement.txt", b"text")
    )
    sign_in(client, role)
    client.post(
        reverse("wagtaildocs:add"),
        {"title": "Briefing notes", "file": SimpleUploadedFile("notes.txt", b"notes")},
    )
    client.post(
        reverse("wagtailimages:add"),
        {"title": "Crowd photo", "file": SimpleUploadedFile("crowd.png", png_bytes())},
    )
    chooser = client.get(reverse("wagtaildocs_chooser:choose")).content.decode()

    editor_or_administrator = role in {"editor", "administrator"}
    assert get_document_model().objects.filter(title="Briefing notes").exists() is (
        editor_or_administrator
    )
    assert get_image_model().objects.filter(title="Crowd photo").exists() is (
        editor_or_administrator
    )
    assert ("Press statement" in chooser) is editor_or_administrator


def test_standard_pages_go_live_when_a_moderator_approves(client, elena, tomas):
    page = StandardPage.objects.get(slug="about")
    page.title = "About the portal"
    page.save_revision(user=elena)
    page.get_workflow().start(page, elena)
    state = StandardPage.objects.get(pk=page.pk).current_workflow_task_state
    client.force_login(tomas)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.pk))
    assert client.post(url, {"comment": ""}).status_code == 302
    page = StandardPage.objects.get(pk=page.pk)
    assert page.live
    assert page.title == "About the portal"


def test_a_moderator_opens_the_draft_they_made_from_a_thread(client, tomas, elena):
    thread = make_thread(ForumFactory(), elena, title="Fake police accounts")
    client.force_login(tomas)
    response = client.post(
        reverse("knowledgebase:case_study_from_thread", args=[thread.pk]),
        {"classification": "ugly"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fake police accounts" in html
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html
