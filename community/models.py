"""Community data: members and their stakeholder profiles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who may see a forum or a case study (see ``community.permissions``)."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    VERIFIED = "verified", _("Verified practitioners")
    GROUP = "group", _("One working group")


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

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.get_display_name()

    def get_display_name(self):
        """Return the name other members see."""
        return self.display_name or self.username


class Profile(models.Model):
    """The stakeholder profile of a member: who they are and for whom they work."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    stakeholder_type = models.CharField(
        _("stakeholder type"),
        max_length=32,
        choices=StakeholderType.choices,
        default=StakeholderType.CITIZEN,
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    verified_until = models.DateField(
        _("verified practitioner until"),
        null=True,
        blank=True,
        help_text=_("Set by the verification process; empty when not verified."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stakeholder profile")

    def __str__(self):
        return f"{self.user} ({self.get_stakeholder_type_display()})"


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
