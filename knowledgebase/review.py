"""The case study review: only a completed workflow publishes, and a bypass is recorded.

Out of the box Wagtail lets anyone with the "publish" page permission publish past a workflow,
and its end of a workflow publishes as the last reviewer, so the reviewers needed that permission
too (and with it the Publish button next to the ethics checklist). Here the completed workflow
itself publishes (``knowledgebase.workflows``), no group needs the permission, and the pages of
the case study library say "may publish" to site administrators only
(``ReviewedPagePermissionTester``). Every way to publish asks that tester: the editor's Publish
button and its POST, Publish on creation, reverting, scheduling, bulk publish, copy with publish,
the admin API. What a site administrator publishes without a completed review lands in the
page's history as "Published without review" (``publication_record``).
"""

import logging

from wagtail.log_actions import get_active_log_context, log
from wagtail.models import PageLogEntry, PagePermissionTester, TaskState, WorkflowState

from community.permissions import can_bypass_review

logger = logging.getLogger(__name__)

PUBLISH_WITHOUT_REVIEW = "knowledgebase.publish_without_review"


class ReviewedPagePermissionTester(PagePermissionTester):
    """Page permissions in which publishing past the review belongs to site administrators.

    A "publish" page permission given to a group later does not reopen the way: a completed
    workflow publishes without asking this tester.
    """

    def can_publish(self):
        return super().can_publish() and can_bypass_review(self.user)

    def can_publish_subpage(self):
        return super().can_publish_subpage() and can_bypass_review(self.user)


def is_review_approved(revision) -> bool:
    """Return whether a completed workflow approved *revision*."""
    return TaskState.objects.filter(
        revision=revision,
        status=TaskState.STATUS_APPROVED,
        workflow_state__status=WorkflowState.STATUS_APPROVED,
    ).exists()


def _scheduled_by(page, revision):
    entry = (
        PageLogEntry.objects.filter(page=page, revision=revision, action="wagtail.publish.schedule")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return entry.user if entry else None


def publication_record(*, page, revision):
    """Record in *page*'s history that *revision* went live without a completed review.

    Called on every publication; records nothing for what a workflow approved. The one who
    published is the signed-in admin user of the request; at a scheduled go-live, the one who
    scheduled it.
    """
    if revision is None or not page.live or is_review_approved(revision):
        return
    user = get_active_log_context().user or _scheduled_by(page, revision)
    log(
        instance=page,
        action=PUBLISH_WITHOUT_REVIEW,
        user=user,
        revision=revision,
        data={"revision": {"id": revision.pk, "created": revision.created_at.isoformat()}},
    )
    logger.warning(
        "case study %s: revision %s published without review by user %s",
        page.pk,
        revision.pk,
        user.pk if user else None,
    )
