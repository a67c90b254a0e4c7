"""The editorial workflow: editorial review, then an ethics and privacy review with a checklist."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from knowledgebase.models import CaseStudyPage, EthicsReviewTask, EthicsReviewTaskState
from knowledgebase.tasks import publish_scheduled_pages
from tests.factories import UserFactory, make_case_study

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "personal_data": "none",
    "minors_or_victims": "handled",
    "operational_details": "none",
    "legal_basis": "n/a",
}


def with_role(username, *groups):
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(username=username)
    user.groups.add(*Group.objects.filter(name__in=groups))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@pytest.fixture
def editor():
    return with_role("editor", "Editors")


@pytest.fixture
def ethics_reviewer():
    return with_role("ethics", "Moderators")


@pytest.fixture
def draft(editor):
    page = make_case_study("Drone footage on TikTok", publish=False, themes=["trolling"])
    page.save_revision(user=editor)
    return page


def submit(page, user):
    return page.get_workflow().start(page, user)


def act(page, user, action="approve", **data):
    page = CaseStudyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state.specific
    task_state.task.specific.on_action(task_state, user, action, **data)


def current_task_name(page):
    return CaseStudyPage.objects.get(pk=page.pk).current_workflow_task.name


def is_live(page):
    return CaseStudyPage.objects.get(pk=page.pk).live


def test_case_studies_go_through_editorial_then_ethics_review(draft):
    workflow = draft.get_workflow()
    assert workflow.name == "Case study review"
    assert [task.name for task in workflow.tasks] == [
        "Editorial review",
        "Ethics and privacy review",
    ]
    assert isinstance(workflow.tasks.last().specific, EthicsReviewTask)


def test_publishing_waits_until_both_reviews_approve(draft, editor, ethics_reviewer):
    submit(draft, editor)
    assert current_task_name(draft) == "Editorial review"
    assert not is_live(draft)

    # The ethics reviewer is not an editor: the first step is not theirs to approve.
    page = CaseStudyPage.objects.get(pk=draft.pk)
    assert page.current_workflow_task.get_actions(page, ethics_reviewer) == []

    act(draft, editor)
    assert current_task_name(draft) == "Ethics and privacy review"
    assert not is_live(draft)
    page = CaseStudyPage.objects.get(pk=draft.pk)
    assert page.current_workflow_task.specific.get_actions(page, editor) == []

    act(draft, ethics_reviewer, **CHECKLIST)
    assert is_live(draft)
    state = EthicsReviewTaskState.objects.get(workflow_state__object_id=str(draft.pk))
    assert state.status == TaskState.STATUS_APPROVED
    assert state.checklist == {
        "personal_data": "none",
        "minors_or_victims": "handled",
        "operational_details": "none",
        "legal_basis": "n/a",
    }


@pytest.mark.parametrize("missing", list(CHECKLIST))
def test_ethics_approval_is_refused_without_a_complete_checklist(
    draft, editor, ethics_reviewer, missing
):
    submit(draft, editor)
    act(draft, editor)
    incomplete = {key: value for key, value in CHECKLIST.items() if key != missing}
    with pytest.raises(PermissionDenied):
        act(draft, ethics_reviewer, **incomplete)
    with pytest.raises(PermissionDenied):
        act(draft, ethics_reviewer, **{**CHECKLIST, missing: "looks fine"})
    assert not is_live(draft)
    assert current_task_name(draft) == "Ethics and privacy review"


def test_ethics_reviewer_answers_the_checklist_in_the_admin(client, draft, editor, ethics_reviewer):
    submit(draft, editor)
    act(draft, editor)
    state = CaseStudyPage.objects.get(pk=draft.pk).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(draft.pk, "approve", state.pk))
    client.force_login(ethics_reviewer)

    form = client.get(url).json()["html"]
    assert "Minors or victims" in form
    assert "Legal basis and permission to use the sources" in form

    response = client.post(
        url, {"comment": "Looks fine"}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.json()["step"] == "action"  # the form comes back with its errors
    assert "This field is required." in response.json()["html"]
    assert not is_live(draft)

    response = client.post(url, {**CHECKLIST, "comment": "Checked with the DPO"})
    assert response.status_code == 302
    assert is_live(draft)
    assert TaskState.objects.get(pk=state.pk).comment == "Checked with the DPO"


def test_an_edit_after_approval_needs_approval_again(draft, editor, ethics_reviewer):
    submit(draft, editor)
    act(draft, editor)
    act(draft, ethics_reviewer, **CHECKLIST)
    assert is_live(draft)

    page = CaseStudyPage.objects.get(pk=draft.pk)
    assert not page.permissions_for_user(editor).can_publish()
    page.title = "Drone footage on TikTok, with new names"
    page.save_revision(user=editor)

    page = CaseStudyPage.objects.get(pk=draft.pk)
    assert page.title == "Drone footage on TikTok"  # the live version is unchanged
    assert page.has_unpublished_changes

    submit(page, editor)
    assert current_task_name(page) == "Editorial review"  # no approval carries over
    act(page, editor)
    assert CaseStudyPage.objects.get(pk=draft.pk).title == "Drone footage on TikTok"
    act(page, ethics_reviewer, **CHECKLIST)
    assert CaseStudyPage.objects.get(pk=draft.pk).title == "Drone footage on TikTok, with new names"
    assert WorkflowState.objects.filter(object_id=str(draft.pk)).count() == 2


def test_scheduled_publishing_and_expiry_run_from_the_celery_task(
    client, draft, editor, ethics_reviewer
):
    go_live = timezone.now() + datetime.timedelta(days=2)
    expire = go_live + datetime.timedelta(days=7)
    page = CaseStudyPage.objects.get(pk=draft.pk)
    page.go_live_at = go_live
    page.expire_at = expire
    page.save_revision(user=editor)
    submit(page, editor)
    act(page, editor)
    act(page, ethics_reviewer, **CHECKLIST)

    assert not is_live(page)  # approved, and waiting for its time
    publish_scheduled_pages()
    assert not is_live(page)

    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        publish_scheduled_pages()
        assert is_live(page)
        assert client.get("/case-studies/drone-footage-on-tiktok/").status_code == 200

    with time_machine.travel(expire + datetime.timedelta(minutes=1), tick=False):
        publish_scheduled_pages()
        assert not is_live(page)
        assert client.get("/case-studies/drone-footage-on-tiktok/").status_code == 404


def test_beat_runs_scheduled_publishing_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
    assert entry["task"] == "knowledgebase.tasks.publish_scheduled_pages"
    assert entry["schedule"] == 60.0
    assert publish_scheduled_pages.name == entry["task"]


def test_previews_need_an_admin_login(client, draft, member):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(draft.pk,))
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    client.force_login(member)
    response = client.get(url)
    assert response.status_code in {302, 403}
    assert b"Drone footage" not in response.content


def test_editors_see_the_case_studies_due_for_review(client, editor):
    today = timezone.localdate()
    make_case_study("Overdue study", review_due=today - datetime.timedelta(days=1))
    make_case_study("Due today", review_due=today)
    make_case_study("Not yet due", review_due=today + datetime.timedelta(days=1))
    client.force_login(editor)
    response = client.get(reverse("knowledgebase_review_due"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Overdue study" in html
    assert "Due today" in html
    assert "Not yet due" not in html
    # The report sits in the admin's Reports menu.
    assert reverse("knowledgebase_review_due") in client.get("/admin/").content.decode()


def test_editors_maintain_themes_and_platforms(client, editor):
    client.force_login(editor)
    assert client.get("/admin/snippets/knowledgebase/theme/").status_code == 200
    response = client.post(
        "/admin/snippets/knowledgebase/theme/add/",
        {"name": "Disinformation", "slug": "disinformation", "description": ""},
    )
    assert response.status_code == 302
    from knowledgebase.models import Theme

    assert Theme.objects.filter(slug="disinformation").exists()
    assert client.get("/admin/snippets/knowledgebase/platform/").status_code == 200
