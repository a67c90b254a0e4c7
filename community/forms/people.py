"""Forms about members: sign-up, profiles, the directory and practitioner verification."""

import warnings
from io import BytesIO

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.validators import MaxLengthValidator, URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..models import (
    LANGUAGE_CHOICES,
    PROFILE_VISIBILITY_FIELDS,
    DigestFrequency,
    DigestSubscription,
    Profile,
    ProfileVisibility,
    User,
    VerificationDomain,
    VerificationRequest,
)
from ..permissions import is_verified_practitioner
from .forums import TAG_MAX_LENGTH

# A bio is a short introduction, not an article; three links cover a work page, a professional
# network and one more.
BIO_MAX_LENGTH = 2_000
LINKS_MAX = 3
EXPERTISE_MAX = 10
AVATAR_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]
AVATAR_NOT_AN_IMAGE = _(
    "This file is not a photo we can use: upload a JPEG, PNG, WebP or GIF image. "
    "Other files (PDF, SVG and so on) are refused, whatever their name."
)


def _tag_names(text: str) -> list[str]:
    names = []
    for raw in text.split(","):
        name = " ".join(raw.split()).lower()
        if name and name not in names:
            names.append(name)
    for name in names:
        if len(name) > TAG_MAX_LENGTH or not slugify(name):
            raise forms.ValidationError(
                _(
                    "“%(name)s” cannot be an area of expertise: use letters or digits, "
                    "at most %(max)d."
                ),
                params={"name": name[:60], "max": TAG_MAX_LENGTH},
            )
    return names


def avatar_from_upload(upload) -> ContentFile:
    """Return *upload* as a square JPEG of ``AVATAR_SIZE`` pixels without metadata.

    The type is read from the content, never the name. A file too large in bytes is refused
    before it is opened; one too large in pixels (a decompression bomb) before it is decoded.
    """
    if upload.size > settings.AVATAR_MAX_BYTES:
        raise forms.ValidationError(
            _("This file is %(size)s; a photo can be at most %(limit)s."),
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.AVATAR_MAX_BYTES),
            },
            code="too_large",
        )
    too_many_pixels = forms.ValidationError(
        _(
            "This image is too large in pixels to be processed safely: "
            "use one under %(limit)d megapixels."
        ),
        params={"limit": settings.AVATAR_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=AVATAR_FORMATS) as image:
                width, height = image.size
                if width * height > settings.AVATAR_MAX_PIXELS:
                    raise too_many_pixels
                size = settings.AVATAR_SIZE
                image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction
                picture = ImageOps.exif_transpose(image).convert("RGBA")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise forms.ValidationError(AVATAR_NOT_AN_IMAGE, code="not_an_image") from None
    # Transparent parts become white; re-encoding keeps the pixels and nothing else.
    flat = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    flat.alpha_composite(picture)
    square = ImageOps.fit(flat.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    output = BytesIO()
    square.save(output, format="JPEG", quality=85, optimize=True)
    return ContentFile(output.getvalue(), name="avatar.jpg")


def _signup_base():
    from allauth.account.forms import SignupForm as AllauthSignupForm

    return AllauthSignupForm


class SignupForm(_signup_base()):
    """Allauth's sign-up form with consent to the weekly digest (an unticked box)."""

    digest_consent = forms.BooleanField(
        label=_("Send me the weekly digest"),
        required=False,
        initial=False,
        help_text=_(
            "One email a week with new case studies and discussions you may see. "
            "Stop it at any time, in one click."
        ),
    )

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy notice"),
        required=True,
        error_messages={"required": _("To join, accept the terms of use and the privacy notice.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].help_text = format_html(
            _('Read the <a href="{}">terms of use</a> and the <a href="{}">privacy notice</a>.'),
            settings.TERMS_URL,
            settings.PRIVACY_NOTICE_URL,
        )

    def signup(self, request, user):
        from ..services.privacy import consent_record, remember_accepted

        # The digest app reads this row; its settings page changes it later.
        frequency = (
            DigestFrequency.WEEKLY if self.cleaned_data["digest_consent"] else DigestFrequency.OFF
        )
        DigestSubscription.objects.set_frequency(user=user, frequency=frequency)
        consent_record(user=user)
        remember_accepted(request)


class DisplayNameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        help_texts = {
            "display_name": _("How other members see you. Leave empty to use your username.")
        }


class WebLinkField(forms.URLField):
    """A web address: http or https only, and one "Enter a valid URL." when it is not one."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ProfileForm(forms.ModelForm):
    """The stakeholder profile, with a visibility choice for each field."""

    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expertise = forms.CharField(
        label=_("Areas of expertise"),
        required=False,
        help_text=_("Up to ten, separated by commas, for example: osint, crisis communication."),
    )
    avatar = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 5 MB. It is cut to a square of 256 pixels and "
            "stored without its metadata (camera, place, date)."
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Profile
        fields = ["stakeholder_type", "organisation", "role", "country", "bio_markdown"]
        widgets = {"bio_markdown": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "bio_markdown": _(
                "A few lines about your work. Markdown: **bold**, _italic_, lists, links."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.fields["bio_markdown"].max_length = BIO_MAX_LENGTH
        self.fields["bio_markdown"].validators.append(MaxLengthValidator(BIO_MAX_LENGTH))
        self.initial.setdefault("languages", profile.languages)
        if profile.pk:
            self.initial.setdefault("expertise", ", ".join(t.name for t in profile.expertise.all()))
        for index in range(LINKS_MAX):
            name = f"link_{index + 1}"
            self.fields[name] = WebLinkField(
                label=_("Link %(number)d") % {"number": index + 1},
                required=False,
                assume_scheme="https",
                max_length=300,
            )
            if index < len(profile.links):
                self.initial.setdefault(name, profile.links[index])
        for field, label in PROFILE_VISIBILITY_FIELDS.items():
            name = f"visibility_{field}"
            self.fields[name] = forms.ChoiceField(
                label=_("Who sees: %(field)s") % {"field": label},
                choices=ProfileVisibility.choices,
                required=False,
            )
            self.initial.setdefault(name, profile.visibility.get(field, ProfileVisibility.MEMBERS))

    def clean_expertise(self):
        names = _tag_names(self.cleaned_data["expertise"])
        if len(names) > EXPERTISE_MAX:
            raise forms.ValidationError(
                _("Choose at most %(max)d areas of expertise."), params={"max": EXPERTISE_MAX}
            )
        return names

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        return avatar_from_upload(upload) if upload else None

    def profile_changes(self) -> dict:
        """Return the keyword arguments of ``services.profile_update`` for the cleaned data."""
        data = self.cleaned_data
        changes = {name: data[name] for name in self._meta.fields}
        changes["languages"] = data["languages"]
        changes["expertise"] = data["expertise"]
        changes["avatar"], changes["remove_avatar"] = data["avatar"], data["remove_avatar"]
        changes["links"] = [
            data[f"link_{index + 1}"] for index in range(LINKS_MAX) if data[f"link_{index + 1}"]
        ]
        changes["visibility"] = {
            field: data[f"visibility_{field}"]
            or self.instance.visibility.get(field, ProfileVisibility.MEMBERS)
            for field in PROFILE_VISIBILITY_FIELDS
        }
        return changes

    def visibility_fields(self):
        return [self[f"visibility_{field}"] for field in PROFILE_VISIBILITY_FIELDS]

    def link_fields(self):
        return [self[f"link_{index + 1}"] for index in range(LINKS_MAX)]


class DirectoryForm(forms.Form):
    """The filters and search of the member directory; invalid values are simply ignored."""

    q = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Stakeholder type"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    expertise = forms.ChoiceField(label=_("Area of expertise"), required=False)
    verified = forms.BooleanField(label=_("Verified practitioners only"), required=False)

    def __init__(self, *args, countries=(), expertise=(), **kwargs):
        super().__init__(*args, **kwargs)
        from ..models import StakeholderType

        anything = [("", _("Any"))]
        self.fields["type"].choices = anything + list(StakeholderType.choices)
        self.fields["country"].choices = anything + list(countries)
        self.fields["expertise"].choices = anything + list(expertise)

    def filters(self) -> dict:
        """Return the valid filters; a value that is not a choice counts as no filter."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class VerificationRequestForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=120)
    role = forms.CharField(label=_("Your role there"), max_length=120)
    official_email = forms.EmailField(
        label=_("Official email address"),
        help_text=_(
            "Your work address at the organisation: we send a confirmation link to it. "
            "Personal mailboxes (Gmail, Outlook and so on) cannot be used."
        ),
    )
    note = forms.CharField(
        label=_("Note for the verifier"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: anything that helps a verifier, such as your unit or a website."),
    )
    referee = forms.CharField(
        label=_("Referee (optional)"),
        required=False,
        max_length=150,
        help_text=_("The username of a verified practitioner who knows you professionally."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_official_email(self):
        email = self.cleaned_data["official_email"].strip()
        domain = email.rpartition("@")[2].lower()
        email = f"{email.rpartition('@')[0]}@{domain}"
        if domain in {d.lower() for d in settings.VERIFICATION_FREE_MAIL_DOMAINS}:
            raise forms.ValidationError(
                _(
                    "%(domain)s is a personal mailbox: it says nothing about where you work. "
                    "Give your address at your organisation."
                ),
                params={"domain": domain},
            )
        return email

    def clean_referee(self):
        username = self.cleaned_data["referee"].strip().lstrip("@")
        if not username:
            return None
        referee = (
            User.objects.filter(username__iexact=username, is_active=True)
            .select_related("profile")
            .first()
        )
        if referee is not None and referee.pk == self.user.pk:
            raise forms.ValidationError(_("You cannot be your own referee."))
        if referee is None or not is_verified_practitioner(referee):
            raise forms.ValidationError(
                _(
                    "“%(name)s” is not a verified practitioner, so cannot be your referee. "
                    "Name a member who is, or leave this empty."
                ),
                params={"name": username},
            )
        return referee

    def clean(self):
        data = super().clean()
        if VerificationRequest.objects.filter(
            user=self.user, status__in=VerificationRequest.OPEN
        ).exists():
            raise forms.ValidationError(
                _(
                    "You already have a verification request open: confirm its email address "
                    "or wait for a verifier's decision before you send another."
                )
            )
        organisation, email = data.get("organisation", ""), data.get("official_email")
        listed = list(VerificationDomain.objects.filter(organisation__iexact=organisation.strip()))
        if email and listed:
            domain = email.rpartition("@")[2]
            if not any(entry.matches(domain) for entry in listed):
                self.add_error(
                    "official_email",
                    _("Addresses of %(organisation)s end in @%(domain)s: give your address there.")
                    % {"organisation": listed[0].organisation, "domain": listed[0].domain},
                )
        return data


class VerificationApproveForm(forms.Form):
    verified_until = forms.DateField(
        label=_("Verified until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Twelve months from today unless you choose otherwise."),
    )
    reason = forms.CharField(
        label=_("Note for the member (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_verified_until(self):
        until = self.cleaned_data["verified_until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today."))
        return until


class VerificationReasonForm(forms.Form):
    """A rejection or revocation: the member is told why."""

    reason = forms.CharField(
        label=_("Reason, sent to the member"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: the member is told why.")},
    )
