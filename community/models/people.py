"""Members, their stakeholder profiles, working groups and practitioner verification."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from ..permissions import ProfileVisibility


class StakeholderType(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement agency")
    SECURITY_ORGANISATION = "security_org", _("Other public-security organisation")
    PUBLIC_AUTHORITY = "public_authority", _("Public authority or policy maker")
    RESEARCH = "research", _("Research and academia")
    CIVIL_SOCIETY = "civil_society", _("Civil society / NGO")
    BUSINESS = "business", _("Business and industry")
    MEDIA = "media", _("Media")
    CITIZEN = "citizen", _("Citizen / social-media user")


class User(AbstractUser):
    """A member of the portal. Signs in by email; the username names the public profile URL."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # Set by moderation (services.moderation_act): no posting, reacting, flagging or signing in.
    suspended_until = models.DateTimeField(
        _("suspended until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.get_display_name()

    def get_display_name(self):
        """Return the name other members see."""
        return self.display_name or self.username


# What a member can show or hide, each on its own; "profile" is the page and the directory entry.
PROFILE_VISIBILITY_FIELDS = {
    "profile": _("Your profile page and directory entry"),
    "stakeholder_type": _("Stakeholder type"),
    "organisation": _("Organisation"),
    "role": _("Role"),
    "country": _("Country"),
    "languages": _("Languages"),
    "expertise": _("Areas of expertise"),
    "bio": _("About you"),
    "links": _("Links"),
    "avatar": _("Photo"),
}


def default_visibility():
    """Return the visibility a new profile starts with: signed-in members see everything."""
    return dict.fromkeys(PROFILE_VISIBILITY_FIELDS, ProfileVisibility.MEMBERS.value)


def avatar_upload_to(instance, filename):
    """Store avatars under a random name: the URL tells nothing about the member."""
    return f"avatars/{uuid.uuid4().hex}.jpg"


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        """Return the profiles of active members that *viewer* may see."""
        from ..permissions import profile_field_q

        return self.filter(profile_field_q(viewer, "profile"))

    def with_field(self, viewer, field, **lookups):
        """Keep profiles matching *lookups* on *field*, counting only where *viewer* sees it."""
        from ..permissions import profile_field_q

        return self.filter(profile_field_q(viewer, field), **lookups)

    def verified(self):
        """Keep practitioners whose verification has not expired today."""
        return self.filter(verified_until__gte=timezone.localdate())

    def search(self, viewer, text):
        """Keep profiles whose name, or organisation where *viewer* sees it, contains *text*."""
        from ..permissions import profile_field_q

        return self.filter(
            Q(user__display_name__icontains=text)
            | Q(user__username__icontains=text)
            | (Q(organisation__icontains=text) & profile_field_q(viewer, "organisation"))
        )

    def for_directory(self, viewer, *, q="", type="", country="", expertise="", verified=False):
        """Return the profiles *viewer* may see that match the directory's filters, by name.

        A filter on a field only matches members who let *viewer* see that field.
        """
        profiles = self.visible_to(viewer)
        if q:
            profiles = profiles.search(viewer, q)
        if type:
            profiles = profiles.with_field(viewer, "stakeholder_type", stakeholder_type=type)
        if country:
            profiles = profiles.with_field(viewer, "country", country=country)
        if expertise:
            profiles = profiles.with_field(viewer, "expertise", expertise__slug=expertise)
        if verified:
            profiles = profiles.verified()
        name = Coalesce(NullIf("user__display_name", Value("")), "user__username")
        return profiles.order_by(Lower(name), "user__username")

    def for_cards(self):
        """Fetch the member, and the expertise tags for ``Profile.expertise_list``."""
        return self.select_related("user").prefetch_related(
            Prefetch(
                "expertise_items",
                queryset=TaggedExpertise.objects.select_related("tag").order_by("tag__name"),
                to_attr="prefetched_expertise",
            )
        )


class Profile(models.Model):
    """The stakeholder profile of a member: who they are and for whom they work.

    ``verified_until`` is the practitioner status the access rule reads on every request: the
    verification services set it, shorten it and clear it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    stakeholder_type = models.CharField(
        _("stakeholder type"),
        max_length=32,
        choices=StakeholderType.choices,
        default=StakeholderType.CITIZEN,
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    expertise = TaggableManager(
        _("areas of expertise"), through="TaggedExpertise", blank=True, related_name="profiles"
    )
    bio_markdown = models.TextField(_("about you"), blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(_("photo"), upload_to=avatar_upload_to, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    visibility = models.JSONField(_("who sees what"), default=default_visibility)
    verified_until = models.DateField(
        _("verified practitioner until"),
        null=True,
        blank=True,
        help_text=_("Set by the verification process; empty when not verified."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("stakeholder profile")
        indexes = [models.Index(fields=["verified_until"], name="profile_verified_until")]

    def __str__(self):
        return f"{self.user} ({self.get_stakeholder_type_display()})"

    def get_absolute_url(self):
        return reverse("community:member_detail", args=[self.user.username])

    @property
    def initials(self):
        """Return up to two initials of the member's name, for the generated avatar."""
        words = [word for word in self.user.get_display_name().split() if word[:1].isalnum()]
        return "".join(word[0] for word in words[:2]).upper() or "?"

    @property
    def avatar_hue(self):
        """Return one of eight colour classes, the same for a member on every page."""
        return self.user_id % 8 if self.user_id else 0

    @property
    def expertise_list(self):
        """Return the areas of expertise, by name (prefetched by ``for_cards``)."""
        items = getattr(self, "prefetched_expertise", None)
        if items is None:
            return list(self.expertise.order_by("name"))
        return [item.tag for item in items]

    def language_names(self):
        names = dict(LANGUAGE_CHOICES)
        return [names[code] for code in self.languages if code in names]


class WorkingGroup(models.Model):
    """A named group of members that content with the "group" audience is published for."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_open_to_requests = models.BooleanField(_("members may ask to join"), default=True)
    members = models.ManyToManyField(
        User, through="WorkingGroupMembership", related_name="working_groups", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")

    def __str__(self):
        return self.name


class WorkingGroupMembership(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="unique_group_membership"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.status})"


# Areas of expertise use their own tag table, so they never mix with the tags of threads.
# The practitioner status itself is ``Profile.verified_until``; the models below record how it
# was asked for, decided, reminded about and renewed.

LANGUAGE_CHOICES = [
    ("bg", _("Bulgarian")),
    ("hr", _("Croatian")),
    ("cs", _("Czech")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("et", _("Estonian")),
    ("fi", _("Finnish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("el", _("Greek")),
    ("hu", _("Hungarian")),
    ("ga", _("Irish")),
    ("it", _("Italian")),
    ("lv", _("Latvian")),
    ("lt", _("Lithuanian")),
    ("mt", _("Maltese")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("ro", _("Romanian")),
    ("sk", _("Slovak")),
    ("sl", _("Slovenian")),
    ("es", _("Spanish")),
    ("sv", _("Swedish")),
    ("ar", _("Arabic")),
    ("no", _("Norwegian")),
    ("ru", _("Russian")),
    ("tr", _("Turkish")),
    ("uk", _("Ukrainian")),
]


class ExpertiseTag(TagBase):
    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")


class TaggedExpertise(ItemBase):
    tag = models.ForeignKey(ExpertiseTag, on_delete=models.CASCADE, related_name="tagged_profiles")
    content_object = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="expertise_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="expertise_once"),
        ]


class VerificationDomainQuerySet(models.QuerySet):
    def matching(self, domain: str):
        """Return the allow-listed entry *domain* (of an email address) falls under, or None."""
        labels = domain.lower().split(".")
        suffixes = [".".join(labels[index:]) for index in range(len(labels))]
        for entry in self.filter(domain__in=suffixes):
            if entry.matches(domain):
                return entry
        return None


class VerificationDomain(models.Model):
    """An email domain whose confirmed addresses verify a practitioner without a verifier."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example police.example.eu; lower case, without @."),
    )
    organisation = models.CharField(
        _("organisation"),
        max_length=120,
        blank=True,
        help_text=_(
            "When a request names this organisation, its official address must be at this domain."
        ),
    )
    include_subdomains = models.BooleanField(
        _("subdomains too"),
        default=True,
        help_text=_("Also accept addresses such as name@region.police.example.eu."),
    )
    note = models.CharField(_("note for staff"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = VerificationDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]
        verbose_name = _("allow-listed verification domain")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")),
                name="verification_domain_lower_case",
            ),
        ]

    def __str__(self):
        return self.domain

    def clean(self):
        self.domain = self.domain.strip().lower().lstrip("@").rstrip(".")
        if "." not in self.domain or "@" in self.domain or " " in self.domain:
            raise ValidationError({"domain": _("Enter a domain such as police.example.eu.")})

    def matches(self, domain: str) -> bool:
        """Return whether *domain* (of an email address) is this domain or, if allowed, below it."""
        domain = domain.lower()
        return domain == self.domain or (
            self.include_subdomains and domain.endswith(f".{self.domain}")
        )


class VerificationRequest(models.Model):
    """A member's request to be verified as a practitioner, from typing it to its decision."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the official address to be confirmed")
        PENDING = "pending", _("Waiting for a verifier")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    OPEN = (Status.UNCONFIRMED, Status.PENDING)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_requests")
    organisation = models.CharField(_("organisation"), max_length=120)
    role = models.CharField(_("role"), max_length=120)
    official_email = models.EmailField(_("official email address"))
    note = models.TextField(_("note for the verifier"), max_length=1000, blank=True)
    referee = models.ForeignKey(
        User,
        verbose_name=_("referee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNCONFIRMED)
    created_at = models.DateTimeField(default=timezone.now)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("verification request")
        constraints = [
            # The invariant behind "one request at a time", whatever the forms let through.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["unconfirmed", "pending"]),
                name="verification_one_open_request",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"

    @property
    def email_domain(self) -> str:
        return self.official_email.rpartition("@")[2].lower()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class VerificationDecision(models.Model):
    """One decision about a member's practitioner status: the log staff and the member rely on."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("Approved")
        AUTO_APPROVED = "auto_approved", _("Approved automatically (allow-listed domain)")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_decisions")
    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for automatic decisions."),
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    verified_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("verification decision")

    def __str__(self):
        return f"{self.get_action_display()}: {self.user} ({self.created_at:%Y-%m-%d})"


class VerificationReminder(models.Model):
    """A reminder sent before a verification expires: one per expiry date and stage, ever."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    verified_until = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "verified_until", "days_before"], name="verification_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.days_before} days before {self.verified_until}"
