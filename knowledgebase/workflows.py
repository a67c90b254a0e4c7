"""What a completed workflow does: ``WAGTAIL_FINISH_WORKFLOW_ACTION``.

Wagtail imports this while it defines its models, so nothing here imports models at load time.
"""


def publish_approved_revision(workflow_state, user=None):
    """Publish what a completed workflow approved (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

    The approval is the authority, so the last reviewer needs no "publish" permission. The
    revision is the one the last step approved; with ``WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT``
    a workflow only completes when every step approved the latest revision.
    """
    task_state = workflow_state.current_task_state
    revision = (task_state and task_state.revision) or (
        workflow_state.content_object.get_latest_revision()
    )
    revision.publish(user=user, skip_permission_checks=True)
