"""Forms of the community half: validation only, no side effects."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile, User


class DisplayNameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        help_texts = {
            "display_name": _("How other members see you. Leave empty to use your username.")
        }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["stakeholder_type", "organisation", "role"]
