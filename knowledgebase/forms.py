"""Forms of the knowledge base outside the Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import PersonRequest


class PersonRequestForm(forms.ModelForm):
    class Meta:
        model = PersonRequest
        fields = ["kind", "name", "email", "details"]
        widgets = {
            "kind": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 8, "maxlength": 4000}),
        }
        help_texts = {
            "email": _("We answer here, and use it for nothing else."),
            "details": _(
                "Which part of the case study concerns you, what is wrong or should go, and how "
                "we can recognise that it is about you. Do not send documents here."
            ),
        }
        error_messages = {
            "kind": {"required": _("Choose whether we should correct or remove something.")},
            "name": {"required": _("Tell us your name, so we can answer you.")},
            "email": {"required": _("Give an email address, so we can answer you.")},
            "details": {"required": _("Tell us what should change.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PersonRequest.Kind.choices
