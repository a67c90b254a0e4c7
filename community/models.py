"""Community data: members, their stakeholder profiles, working groups and the forums."""

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
from taggit.models import ItemBase, TagBase, TaggedItemBase

from .querysets import ForumQuerySet, NotificationQuerySet, PostQuerySet, ThreadQuerySet


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


class ProfileVisibility(models.TextChoices):
    """Who may see a profile, or one field of it (see ``permissions.can_see_profile_field``)."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    VERIFIED = "verified", _("Verified practitioners")


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
        from .permissions import profile_field_q

        return self.filter(profile_field_q(viewer, "profile"))

    def with_field(self, viewer, field, **lookups):
        """Keep profiles matching *lookups* on *field*, counting only where *viewer* sees it."""
        from .permissions import profile_field_q

        return self.filter(profile_field_q(viewer, field), **lookups)

    def verified(self):
        """Keep practitioners whose verification has not expired today."""
        return self.filter(verified_until__gte=timezone.localdate())

    def search(self, viewer, text):
        """Keep profiles whose name, or organisation where *viewer* sees it, contains *text*."""
        from .permissions import profile_field_q

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


# Forums ---------------------------------------------------------------------------------------
# Threads and posts carry denormalised counters (post_count, helpful_count, ...) that only the
# service functions in ``community.services`` change, with F() expressions inside a transaction.


class Forum(models.Model):
    """A place for one kind of conversation, open to one audience."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    section = models.CharField(
        _("section heading"),
        max_length=120,
        blank=True,
        help_text=_("Forums with the same heading are grouped together on the forum index."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first.")
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.MEMBERS
    )
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forums",
        help_text=_("Required when the audience is one working group, empty otherwise."),
    )
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_thread = models.ForeignKey(
        "Thread", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("forum")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience=Audience.GROUP, group__isnull=False)
                    | (~models.Q(audience=Audience.GROUP) & models.Q(group__isnull=True))
                ),
                name="forum_group_iff_group_audience",
                violation_error_message=_(
                    "Choose a working group when, and only when, the audience is one working group."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:forum_detail", args=[self.slug])

    def clean(self):
        if self.audience == Audience.GROUP and not self.group_id:
            raise ValidationError({"group": _("Choose the working group that may see this forum.")})
        if self.audience != Audience.GROUP and self.group_id:
            raise ValidationError(
                {"group": _("Only forums for one working group name a working group.")}
            )


class TaggedThread(TaggedItemBase):
    content_object = models.ForeignKey(
        "Thread", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Thread(models.Model):
    """A conversation in a forum: a title and a numbered sequence of posts."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=False)
    tags = TaggableManager(_("tags"), through=TaggedThread, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    # Members who have opened the thread at least once (counted when their read marker is made).
    view_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    case_study = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("case study"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion_threads",
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        indexes = [
            models.Index(
                fields=["forum", "-is_pinned", "-last_activity_at"], name="thread_forum_activity"
            ),
            models.Index(fields=["-last_activity_at"], name="thread_activity"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="thread_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:thread_detail", args=[self.pk, self.slug or "-"])


class Post(models.Model):
    """One message in a thread, numbered from 1; deleted posts keep their number and place."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    number = models.PositiveIntegerField(_("number in thread"))
    body_markdown = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("last edited"), null=True, blank=True, editable=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "number"]
        verbose_name = _("post")
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="post_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="post_number_positive"),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False) | models.Q(deleted_at__isnull=False),
                name="post_deleted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        return reverse("community:post_permalink", args=[self.pk])


class PostRevision(models.Model):
    """The text a post had before one edit: who changed it and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body_markdown = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.post} before {self.created_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_once"),
        ]

    def __str__(self):
        return f"{self.user} finds {self.post} {self.kind}"


class FollowLevel(models.TextChoices):
    WATCHING = "watching", _("Watching")
    NORMAL = "normal", _("Normal")
    MUTED = "muted", _("Muted")


class Follow(models.Model):
    """How closely a member follows one thread, forum or tag (exactly one of them)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(thread__isnull=False, forum__isnull=True, tag__isnull=True)
                    | models.Q(thread__isnull=True, forum__isnull=False, tag__isnull=True)
                    | models.Q(thread__isnull=True, forum__isnull=True, tag__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=models.Q(thread__isnull=False),
                name="follow_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "forum"],
                condition=models.Q(forum__isnull=False),
                name="follow_forum_once",
            ),
            models.UniqueConstraint(
                fields=["user", "tag"],
                condition=models.Q(tag__isnull=False),
                name="follow_tag_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.level} {self.thread or self.forum or self.tag}"


class Notification(models.Model):
    """What happened in a thread for one member, grouped: one unread entry per thread and kind."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NEW_THREAD = "new_thread", _("New thread")
        MENTION = "mention", _("Mention")
        QUOTE = "quote", _("Quote")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    # The first post the member has not seen yet: the entry leads there.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=1)
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "is_read", "-updated_at"], name="notification_inbox"),
        ]
        constraints = [
            # The idempotency key: events for one thread and kind join the unread entry.
            models.UniqueConstraint(
                fields=["recipient", "thread", "kind"],
                condition=models.Q(is_read=False),
                name="notification_one_unread_per_thread_kind",
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="notification_count"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient} in {self.thread}"


class ThreadRead(models.Model):
    """How far one member has read one thread: the number of the last post they were shown."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="thread_reads")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="thread_read_once"),
        ]

    def __str__(self):
        return f"{self.user} read {self.thread} to #{self.last_read_number}"


# People and verification ----------------------------------------------------------------------
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


# Digest ---------------------------------------------------------------------------------------
# The personal email digest (``community.digest``): what a member asked for, and a ledger that
# makes every run safe to repeat. Following forums and tags reuses ``Follow``; case-study themes
# and classifications have their own rows below.


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily")
    OFF = "off", _("Off")


class DigestSubscription(models.Model):
    """How often a member wants the digest; no row means no digest (no consent given)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="digest_subscription")
    frequency = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    # Set when the member was told that digests stop while they stay away; cleared on return.
    absence_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("digest subscription")
        indexes = [models.Index(fields=["frequency"], name="digest_subscription_frequency")]

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class DigestTopic(models.Model):
    """A case-study theme or classification a member follows (listed first) or mutes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_topics")
    theme = models.ForeignKey(
        "knowledgebase.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # One of ``knowledgebase.models.Classification`` (not imported: knowledgebase imports us).
    classification = models.CharField(max_length=8, blank=True)
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("digest topic")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(theme__isnull=False, classification="")
                    | (models.Q(theme__isnull=True) & ~models.Q(classification=""))
                ),
                name="digest_topic_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "theme"],
                condition=models.Q(theme__isnull=False),
                name="digest_topic_theme_once",
            ),
            models.UniqueConstraint(
                fields=["user", "classification"],
                condition=~models.Q(classification=""),
                name="digest_topic_classification_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.level} {self.theme or self.classification}"


class DigestRun(models.Model):
    """One start of a digest run (beat, rerun or manual): how many were sent, skipped, failed."""

    kind = models.CharField(max_length=8, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("digest run")

    def __str__(self):
        return f"{self.get_kind_display()} digest {self.period_start:%Y-%m-%d} ({self.started_at})"


class DigestDelivery(models.Model):
    """The ledger: one row per member, digest kind and period, claimed before anything is sent.

    sending → sent | skipped | failed, or sending → retrying → sending (temporary SMTP failure).
    See ``community.digest.deliver`` for how a row stuck in "sending" after a crash is handled.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_deliveries")
    kind = models.CharField(max_length=8, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    reason = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    run = models.ForeignKey(
        DigestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period_start"], name="digest_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="digest_delivery_status")]

    def __str__(self):
        return f"{self.user} {self.kind} {self.period_start:%Y-%m-%d}: {self.status}"
