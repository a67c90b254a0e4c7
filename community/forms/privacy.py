"""Forms of the privacy features: validation only, no side effects."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I accept the current terms of use and privacy notice"),
        error_messages={"required": _("Tick the box to accept, or sign out.")},
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account is erased and that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm that you want to leave.")},
    )
