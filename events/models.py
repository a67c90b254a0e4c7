"""Events (workshops, webinars, conferences, exercises), the applications of members to them,
their feedback, and the private calendar feeds of members."""

import secrets
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet

from community.models import AudienceMixin, StakeholderType
from community.permissions import audience_q, is_organiser
from knowledgebase.countries import COUNTRY_CHOICES
from knowledgebase.models import (
    AudienceRestrictedPageMixin,
    PortalDocument,
    ReviewedPageMixin,
    Theme,
)

from .blocks import ProgrammeBlock

TIME_ZONES = sorted(
    zone for zone in zoneinfo.available_timezones() if zone.startswith("Europe/") or zone == "UTC"
)

# The languages an event is held in; a filter of the listing.
EVENT_LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("el", _("Greek")),
    ("ro", _("Romanian")),
]


# What the two pages show beside their fields is built by ``listing.Listing`` and
# ``presenters.event_context``, which import this module: ``EventsConfig.ready()`` hands them over.
PAGE_CONTEXT = {}


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    CONFERENCE = "conference", _("Conference")
    EXERCISE = "exercise", _("Exercise")


class RegistrationMode(models.TextChoices):
    APPLICATIONS = "applications", _("Applications: the organiser decides")
    OPEN = "open", _("Open: first come, first served")


class EventPageQuerySet(PageQuerySet):
    def visible_to(self, user):
        """Return live events that *user* may see, without Wagtail view restrictions."""
        return self.live().public().filter(audience_q(user))

    def public_only(self):
        """Return what an anonymous visitor, a feed reader or a search engine may see."""
        return self.visible_to(AnonymousUser())

    def upcoming(self, now=None):
        """Return events that have not ended, soonest first."""
        return self.filter(end_at__gte=now or timezone.now()).order_by("start_at", "pk")

    def past(self, now=None):
        """Return events that have ended, latest first."""
        return self.filter(end_at__lt=now or timezone.now()).order_by("-start_at", "-pk")

    def for_cards(self):
        """Fetch what an event card shows, in a fixed number of queries."""
        return self.defer_streamfields().prefetch_related("themes")

    def speaking(self, language: str):
        """Return events held in *language* (a code of ``EVENT_LANGUAGES``)."""
        return self.filter(languages__regex=rf"(^| ){language}( |$)")


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class EventIndexPage(ReviewedPageMixin, Page):
    """The events at /events/: upcoming and past, with filters."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["knowledgebase.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("event listing")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["listing"] = PAGE_CONTEXT["listing"](self, request)
        return context


class EventTag(TaggedItemBase):
    content_object = ParentalKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class EventPage(AudienceRestrictedPageMixin, ReviewedPageMixin, AudienceMixin, Page):
    """One event: what, when, where, for whom, how to take part, and afterwards its materials."""

    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    summary = models.TextField(
        _("summary"), max_length=600, help_text=_("Two or three sentences for cards and feeds.")
    )
    programme = StreamField(ProgrammeBlock(), verbose_name=_("programme"), blank=True)
    start_at = models.DateTimeField(_("starts"))
    end_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        choices=[(zone, zone) for zone in TIME_ZONES],
        default="Europe/Brussels",
        help_text=_("Times on the event page are shown in this time zone."),
    )
    is_online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=60,
        default="en",
        help_text=_("Language codes separated by spaces, e.g. “en fr”."),
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("themes"), related_name="events", blank=True
    )
    tags = ClusterTaggableManager(through=EventTag, blank=True, verbose_name=_("tags"))
    capacity = models.PositiveIntegerField(
        _("capacity"), default=30, validators=[MinValueValidator(1)]
    )
    application_deadline = models.DateTimeField(
        _("application deadline"),
        help_text=_("Members apply and cancel until then."),
    )
    registration_mode = models.CharField(
        _("registration"),
        max_length=16,
        choices=RegistrationMode.choices,
        default=RegistrationMode.APPLICATIONS,
    )
    organiser_name = models.CharField(_("organiser"), max_length=200)
    organiser_email = models.EmailField(_("organiser's email address"))
    report = models.TextField(
        _("written summary"), blank=True, help_text=_("What happened, written after the event.")
    )
    discussion = models.ForeignKey(
        "community.Thread",
        verbose_name=_("discussion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = EventPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("programme"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")]),
                FieldPanel("time_zone"),
                FieldPanel("is_online"),
                FieldRowPanel([FieldPanel("venue"), FieldPanel("city"), FieldPanel("country")]),
                FieldPanel("languages"),
            ],
            heading=_("When and where"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading=_("Themes and tags"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("audience"), FieldPanel("group")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("application_deadline")]),
                FieldPanel("registration_mode"),
                FieldRowPanel([FieldPanel("organiser_name"), FieldPanel("organiser_email")]),
            ],
            heading=_("Audience and applications"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("report"),
                InlinePanel("documents", label=_("Document")),
                InlinePanel("recordings", label=_("Recording")),
                InlinePanel("case_study_links", label=_("Case study")),
            ],
            heading=_("After the event"),
        ),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta(AudienceMixin.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            *AudienceMixin.Meta.constraints,
            models.CheckConstraint(
                condition=Q(end_at__gte=models.F("start_at")),
                name="events_eventpage_ends_after_start",
            ),
        ]

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_open_for_applications(self, now=None) -> bool:
        return (now or timezone.now()) < self.application_deadline

    def has_ended(self, now=None) -> bool:
        return self.end_at < (now or timezone.now())

    def clean(self):
        super().clean()
        errors = {}
        known = dict(EVENT_LANGUAGES)
        unknown = [code for code in self.language_codes if code not in known]
        if unknown or not self.language_codes:
            errors["languages"] = _("Use the codes: %(codes)s.") % {"codes": " ".join(known)}
        if self.start_at and self.end_at and self.end_at < self.start_at:
            errors["end_at"] = _("The event ends after it starts.")
        if self.start_at and self.application_deadline and self.application_deadline > self.end_at:
            errors["application_deadline"] = _("Applications close before the event ends.")
        if not self.is_online and not self.city:
            errors["city"] = _("Give the city, or mark the event as online.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(PAGE_CONTEXT["event"](self, request))
        return context


class EventDocument(Orderable):
    """Slides and handouts: a non-public event's documents sit in a restricted collection."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        PortalDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")

    def clean(self):
        from knowledgebase.documents import is_restricted

        super().clean()
        page = getattr(self, "page", None)
        if (
            page is not None
            and page.audience != "public"
            and self.document_id
            and not is_restricted(self.document.collection)
        ):
            raise ValidationError(
                {
                    "document": _(
                        "The event is not public: choose a document in a private collection."
                    )
                }
            )


class EventRecording(Orderable):
    """A recording, linked (click-to-load, never embedded)."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="recordings")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), max_length=500)

    panels = [FieldPanel("title"), FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = _("recording")


class EventCaseStudy(Orderable):
    """A case study the event led to."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="case_study_links")
    case_study = models.ForeignKey(
        "knowledgebase.CaseStudyPage",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [PageChooserPanel("case_study", "knowledgebase.CaseStudyPage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related case study")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = [
    ApplicationStatus.APPLIED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.WAITLISTED,
]


class ApplicationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def participants_visible_to(self, user, event):
        """Return the accepted participants of *event* whom *user* may see listed.

        Organisers see them all; an accepted participant sees those who opted in to be shown to
        the other participants; anyone else sees none. The caller checks that *user* may see
        *event* (404 otherwise).
        """
        accepted = self.filter(event=event, status=ApplicationStatus.ACCEPTED)
        if is_organiser(user):
            return accepted
        if not user.is_authenticated or not accepted.filter(member=user).exists():
            return self.none()
        return accepted.filter(is_listed=True)


class Application(models.Model):
    """A member's application to an event, and the organiser's decision."""

    Status = ApplicationStatus

    event = models.ForeignKey(
        EventPage, verbose_name=_("event"), on_delete=models.CASCADE, related_name="applications"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="event_applications",
    )
    motivation = models.TextField(_("motivation"), max_length=2000, blank=True)
    stakeholder_type = models.CharField(
        _("stakeholder type"), max_length=32, choices=StakeholderType.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default="applied"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(_("message to the member"), max_length=2000, blank=True)
    waitlist_position = models.PositiveIntegerField(_("place on the waiting list"), null=True)
    is_listed = models.BooleanField(
        _("shown to the other participants"),
        default=False,
        help_text=_("The member opted in to be named to the other accepted participants."),
    )
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="events_application_one_active",
                violation_error_message=_("You have applied to this event already."),
            ),
            models.CheckConstraint(
                condition=Q(waitlist_position__isnull=True) | Q(status="waitlisted"),
                name="events_application_position_only_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.member} → {self.event} ({self.status})"


class Feedback(models.Model):
    """A participant's feedback on an event; organisers see it without names."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="feedback")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="events_feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="events_feedback_rating_range"
            ),
        ]

    def __str__(self):
        return f"{self.event} ({self.rating}/5)"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in the address of a member's private calendar feed; a new one revokes it."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.member}'s calendar"
