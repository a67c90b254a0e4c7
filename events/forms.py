"""Forms of events: applying, deciding, feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import StakeholderType

from .models import ApplicationStatus


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why do you want to take part?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the organiser."),
    )
    stakeholder_type = forms.ChoiceField(
        label=_("You take part as"), choices=StakeholderType.choices
    )
    is_listed = forms.BooleanField(
        label=_("Show my name to the other accepted participants"),
        required=False,
        help_text=_("Organisers always see who takes part; other participants only if you agree."),
    )


class ListingForm(forms.Form):
    is_listed = forms.BooleanField(
        label=_("Show my name to the other accepted participants"), required=False
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ApplicationStatus.ACCEPTED, _("Accept")),
            (ApplicationStatus.WAITLISTED, _("Waiting list")),
            (ApplicationStatus.DECLINED, _("Decline")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the member"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the event?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 is very useful. Other members never see your answer."),
    )
    comment = forms.CharField(
        label=_("Comments"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
