"""Digest settings: how often the digest comes, what it follows and what it mutes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import DigestFrequency, Forum
from community.querysets import visible_tags
from knowledgebase.models import Classification, Theme

from .preferences import Preferences


class TagNamesField(forms.CharField):
    """Tag names separated by commas, picked among ``tags`` (the form sets them), not created."""

    tags = None

    def clean(self, value):
        names = []
        for raw in (super().clean(value) or "").split(","):
            name = " ".join(raw.split()).lower()
            if name and name not in names:
                names.append(name)
        known = set(self.tags.filter(name__in=names).values_list("name", flat=True))
        unknown = [name for name in names if name not in known]
        if unknown:
            raise forms.ValidationError(
                _("No thread or case study has the tag “%(names)s”."),
                params={"names": "”, “".join(unknown)},
            )
        return names


class DigestSettingsForm(forms.Form):
    """How often the digest comes, and what it puts first or leaves out."""

    frequency = forms.ChoiceField(
        label=_("Digest"), choices=DigestFrequency.choices, widget=forms.RadioSelect
    )
    follow_forums = forms.ModelMultipleChoiceField(
        label=_("Forums you follow"),
        queryset=Forum.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mute_forums = forms.ModelMultipleChoiceField(
        label=_("Forums you mute"),
        queryset=Forum.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_tags = TagNamesField(
        label=_("Tags you follow"),
        required=False,
        help_text=_("Separated by commas, for example: osint, riots."),
    )
    mute_tags = TagNamesField(label=_("Tags you mute"), required=False)
    follow_themes = forms.ModelMultipleChoiceField(
        label=_("Case-study themes you follow"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mute_themes = forms.ModelMultipleChoiceField(
        label=_("Case-study themes you mute"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_classifications = forms.MultipleChoiceField(
        label=_("Classifications you follow"), required=False, widget=forms.CheckboxSelectMultiple
    )
    mute_classifications = forms.MultipleChoiceField(
        label=_("Classifications you mute"), required=False, widget=forms.CheckboxSelectMultiple
    )

    PAIRS = ["forums", "tags", "themes", "classifications"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        forums = Forum.objects.visible_to(user).order_by("position", "name")
        themes = Theme.objects.order_by("name")
        # A tag on nothing the member may see is refused like one that does not exist.
        tags = visible_tags(user)
        for prefix in ("follow", "mute"):
            self.fields[f"{prefix}_forums"].queryset = forums
            self.fields[f"{prefix}_tags"].tags = tags
            self.fields[f"{prefix}_themes"].queryset = themes
            self.fields[f"{prefix}_classifications"].choices = Classification.choices

    def clean(self):
        cleaned = super().clean()
        for name in self.PAIRS:
            both = set(cleaned.get(f"follow_{name}") or []) & set(cleaned.get(f"mute_{name}") or [])
            if both:
                self.add_error(
                    f"mute_{name}",
                    _("You cannot follow and mute the same item: %(items)s.")
                    % {"items": ", ".join(sorted(str(item) for item in both))},
                )
        return cleaned

    def preferences(self):
        """Return the cleaned choices as ``digest.preferences.Preferences``."""
        data = self.cleaned_data
        return Preferences(
            frequency=data["frequency"],
            follow_forums=[forum.pk for forum in data["follow_forums"]],
            mute_forums=[forum.pk for forum in data["mute_forums"]],
            follow_tags=data["follow_tags"],
            mute_tags=data["mute_tags"],
            follow_themes=[theme.pk for theme in data["follow_themes"]],
            mute_themes=[theme.pk for theme in data["mute_themes"]],
            follow_classifications=data["follow_classifications"],
            mute_classifications=data["mute_classifications"],
        )

    @classmethod
    def initial_from(cls, prefs) -> dict:
        return {
            "frequency": prefs.frequency,
            "follow_forums": prefs.follow_forums,
            "mute_forums": prefs.mute_forums,
            "follow_tags": ", ".join(prefs.follow_tags),
            "mute_tags": ", ".join(prefs.mute_tags),
            "follow_themes": prefs.follow_themes,
            "mute_themes": prefs.mute_themes,
            "follow_classifications": prefs.follow_classifications,
            "mute_classifications": prefs.mute_classifications,
        }
