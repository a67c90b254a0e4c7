"""Forms members write in the forums, with the limits they meet."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..limits import post_shape_errors
from ..models import (
    FollowLevel,
)

# Forums: the limits members meet when they write. A title fits a line in the thread list; a post
# of 50,000 characters is about twenty pages, far beyond any real contribution, and keeps a single
# page of posts (20 of them) small enough to serve quickly.
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000
TAGS_MAX = 5
TAG_MAX_LENGTH = 50


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown: **bold**, _italic_, > quote, lists, tables and links. "
            "Mention a member with @username."
        ),
        error_messages={
            "required": _("Write something before you post: the text is empty."),
            "max_length": _(
                "A post can be at most %(limit_value)d characters long; this one has "
                "%(show_value)d. Shorten it or split it into two posts."
            ),
        },
    )

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author

    def clean_body(self):
        body = self.cleaned_data["body"]
        if self.author is not None and (errors := post_shape_errors(self.author, body)):
            raise forms.ValidationError(errors)
        return body


class ThreadForm(PostForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Give the thread a title."),
            "max_length": _(
                "A title can be at most %(limit_value)d characters long; this one has "
                "%(show_value)d."
            ),
        },
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Up to five, separated by commas, for example: osint, riots, live-sharing."),
    )

    field_order = ["title", "tags", "body"]

    def clean_tags(self):
        names = []
        for raw in self.cleaned_data["tags"].split(","):
            name = " ".join(raw.split()).lower()
            if name and name not in names:
                names.append(name)
        if len(names) > TAGS_MAX:
            raise forms.ValidationError(_("Choose at most %(max)d tags."), params={"max": TAGS_MAX})
        for name in names:
            if len(name) > TAG_MAX_LENGTH or not slugify(name):
                raise forms.ValidationError(
                    _("“%(name)s” cannot be a tag: use letters or digits, at most %(max)d."),
                    params={"name": name[:60], "max": TAG_MAX_LENGTH},
                )
        return names


class FollowForm(forms.Form):
    level = forms.ChoiceField(choices=FollowLevel.choices)
