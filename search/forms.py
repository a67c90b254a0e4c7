"""The search box and its filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Forum, Thread
from knowledgebase.models import Classification, Theme

from .query import MAX_QUERY_LENGTH, Filters, Kind


class SearchForm(forms.Form):
    """The search box and its filters; values that match nothing are refused with a message."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Everything")), *Kind.choices]
    )
    forum = forms.ChoiceField(label=_("Forum"), required=False)
    classification = forms.ChoiceField(label=_("Classification"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    tag = forms.SlugField(label=_("Tag"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Set by a result's "N more matching posts" link: the matching posts of one discussion.
    thread = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
    )

    def __init__(self, data, *, user):
        if data is not None and "\x00" in data.get("q", ""):
            # A NUL byte is noise here (browsers never send one): drop it rather than refuse.
            data = data.copy()
            data["q"] = data["q"].replace("\x00", "")
        super().__init__(data)
        self.user = user
        self.fields["q"].widget.attrs.update(maxlength=MAX_QUERY_LENGTH, type="search")
        self.fields["forum"].choices = [("", _("All forums"))] + [
            (forum.slug, forum.name)
            for forum in Forum.objects.visible_to(user).only("slug", "name").order_by("name")
        ]
        self.fields["classification"].choices = [("", _("Any")), *Classification.choices]
        self.fields["theme"].choices = [
            ("", _("Any theme")),
            *Theme.objects.values_list("slug", "name"),
        ]

    def clean_thread(self):
        """Return the discussion chosen, refused alike whether missing or not to be seen."""
        pk = self.cleaned_data.get("thread")
        if pk is None:
            return None
        thread = Thread.objects.visible_to(self.user).filter(pk=pk).only("pk", "title").first()
        if thread is None:
            raise forms.ValidationError(_("That discussion does not exist, or you may not see it."))
        return thread

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose an end date on or after the start date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            kind=data.get("type") or "",
            forum=data.get("forum") or "",
            classification=data.get("classification") or "",
            theme=data.get("theme") or "",
            tag=data.get("tag") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            thread=data["thread"].pk if data.get("thread") else None,
        )
