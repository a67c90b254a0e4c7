"""Flags, moderator decisions and appeals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ModerationAction, Rule
from .forums import BODY_MAX_LENGTH, TITLE_MAX_LENGTH


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=Rule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason for your flag.")},
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”. Only moderators read it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Rule.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say what is wrong: the note is required for “Other”."))
        return cleaned


MODERATOR_ACTIONS = [
    (ModerationAction.Kind.DISMISS, _("Dismiss the flags: the post is fine (shown again)")),
    (ModerationAction.Kind.HIDE, _("Hide the post")),
    (ModerationAction.Kind.DELETE, _("Delete the post")),
    (ModerationAction.Kind.EDIT, _("Edit the post (and show it)")),
    (ModerationAction.Kind.LOCK, _("Lock the thread")),
    (ModerationAction.Kind.WARN, _("Warn the member")),
    (ModerationAction.Kind.SUSPEND, _("Suspend the member")),
]


class ModerationActionForm(forms.Form):
    """One moderator decision about a post: what, under which rule, and why (always)."""

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=MODERATOR_ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what to do with this post.")},
    )
    rule = forms.ChoiceField(
        label=_("Rule of the code of conduct"),
        choices=[("", _("None (dismissing)")), *Rule.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason, sent to the member"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The reason for an edit is also shown in the post's edit history, to everyone who "
            "may see the post: do not repeat what you removed."
        ),
        error_messages={"required": _("Give a reason: every decision is explained and logged.")},
    )
    title = forms.CharField(
        label=_("Title of the thread (for an edit of the opening post)"),
        required=False,
        max_length=TITLE_MAX_LENGTH,
        help_text=_("Only moderators see the title it replaces."),
    )
    body = forms.CharField(
        label=_("New text of the post (for an edit)"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    suspend_days = forms.IntegerField(
        label=_("Suspension length in days (for a suspension)"),
        required=False,
        min_value=1,
        max_value=3650,
    )

    def __init__(self, *args, opening: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not opening:
            del self.fields["title"]

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("title", "")
        action = cleaned.get("action")
        if action not in {None, ModerationAction.Kind.DISMISS} and not cleaned.get("rule"):
            self.add_error("rule", _("Name the rule: the member is told which rule applies."))
        if action == ModerationAction.Kind.EDIT and not cleaned.get("body", "").strip():
            self.add_error("body", _("Give the new text of the post."))
        if action == ModerationAction.Kind.SUSPEND and not cleaned.get("suspend_days"):
            self.add_error("suspend_days", _("Give the length of the suspension in days."))
        return cleaned


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should this decision change?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Explain your appeal: another moderator reads it.")},
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision on the appeal"),
        choices=[
            ("uphold", _("Uphold the decision")),
            ("overturn", _("Overturn it (undo what it did)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to uphold or to overturn the decision.")},
    )
    reason = forms.CharField(
        label=_("Reason, sent to the member"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: the member is told why.")},
    )
