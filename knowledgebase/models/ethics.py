"""The ethics and privacy review: a workflow task whose reviewers answer a checklist."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import (
    AbstractGroupApprovalTask,
    TaskState,
)


class ChecklistAnswer(models.TextChoices):
    NONE_PRESENT = "none", _("Checked: none present")
    HANDLED = "handled", _("Present and handled")
    NOT_APPLICABLE = "n/a", _("Not applicable")


ETHICS_CHECKLIST = {
    "personal_data": _("Personal data of identifiable people"),
    "minors_or_victims": _("Minors or victims"),
    "operational_details": _("Ongoing investigations or operational details"),
    "legal_basis": _("Legal basis and permission to use the sources"),
}


class EthicsChecklistForm(TaskStateCommentForm):
    """The questions an ethics reviewer answers before a case study may be approved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checklist = {
            name: forms.ChoiceField(
                label=label, choices=ChecklistAnswer.choices, widget=forms.RadioSelect
            )
            for name, label in ETHICS_CHECKLIST.items()
        }
        # The checklist comes first; the optional comment stays last.
        self.fields = {**checklist, "comment": self.fields["comment"]}


class EthicsReviewTaskState(TaskState):
    checklist = models.JSONField(_("ethics checklist"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ethics review task state")


class EthicsReviewTask(AbstractGroupApprovalTask):
    """An approval step whose reviewers must answer the ethics and privacy checklist first."""

    task_state_class = EthicsReviewTaskState

    class Meta:
        verbose_name = _("ethics and privacy review")
        verbose_name_plural = _("ethics and privacy reviews")

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve after answering the ethics and privacy "
            "checklist: personal data, minors or victims, operational details, legal basis."
        )

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve with ethics checklist"), True),
            ]
        return []

    def get_form_for_action(self, action):
        if action == "approve":
            return EthicsChecklistForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        """Approve only with a complete checklist, whichever admin view sends the action."""
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        form = EthicsChecklistForm(data=kwargs)
        if not form.is_valid():
            raise PermissionDenied(_("Answer every question of the ethics checklist to approve."))
        task_state = task_state.specific
        task_state.checklist = {name: form.cleaned_data[name] for name in ETHICS_CHECKLIST}
        return super().on_action(
            task_state, user, action_name, comment=form.cleaned_data["comment"]
        )
