"""Wagtail page types of the knowledge base, its facet snippets, its ethics review task and its
documents."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
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
from wagtail.documents.models import AbstractDocument
from wagtail.documents.models import Document as WagtailDocument
from wagtail.fields import RichTextField, StreamField
from wagtail.forms import TaskStateCommentForm
from wagtail.models import (
    AbstractGroupApprovalTask,
    Orderable,
    Page,
    PageManager,
    TaskState,
)
from wagtail.query import PageQuerySet
from wagtail.search import index

from community.models import Audience, Thread, WorkingGroup, private_storage
from community.models.fields import SearchVectorField
from community.permissions import audience_q, can_see

from .blocks import CaseStudyBodyBlock
from .countries import COUNTRY_CHOICES
from .review import ReviewedPagePermissionTester


class AudienceRestrictedPageMixin:
    """Serve the page only to viewers the audience admits; everyone else gets a 404."""

    def serve(self, request, *args, **kwargs):
        if not can_see(request.user, self):
            raise Http404
        return super().serve(request, *args, **kwargs)


class ReviewedPageMixin:
    """Publish only through the review workflow; site administrators alone may bypass it."""

    def permissions_for_user(self, user):
        return ReviewedPagePermissionTester(user, self)


class HomePage(Page):
    """The front door: what the community is for, featured case studies and a call to join."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)
    join_call = models.CharField(
        _("call to join"),
        max_length=200,
        blank=True,
        default=_("Join practitioners across Europe who share what works, and what does not."),
    )
    featured_good = models.ForeignKey(
        "knowledgebase.CaseStudyPage",
        verbose_name=_("featured good case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the latest good case study the visitor may see."),
    )
    featured_bad = models.ForeignKey(
        "knowledgebase.CaseStudyPage",
        verbose_name=_("featured bad case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the latest bad case study the visitor may see."),
    )
    featured_ugly = models.ForeignKey(
        "knowledgebase.CaseStudyPage",
        verbose_name=_("featured ugly case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the latest ugly case study the visitor may see."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("join_call"),
        MultiFieldPanel(
            [
                PageChooserPanel("featured_good", "knowledgebase.CaseStudyPage"),
                PageChooserPanel("featured_bad", "knowledgebase.CaseStudyPage"),
                PageChooserPanel("featured_ugly", "knowledgebase.CaseStudyPage"),
            ],
            heading=_("Featured case studies"),
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["knowledgebase.StandardPage", "knowledgebase.CaseStudyIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def featured_case_studies(self, user):
        """Return one good, one bad and one ugly case study *user* may see, where there is one.

        The editors' choice wins when the visitor may see it; otherwise the latest visible case
        study of that classification stands in.
        """
        visible = CaseStudyPage.objects.visible_to(user).for_cards()
        chosen_ids = {
            Classification.GOOD: self.featured_good_id,
            Classification.BAD: self.featured_bad_id,
            Classification.UGLY: self.featured_ugly_id,
        }
        chosen = {
            page.classification: page
            for page in visible.filter(pk__in=[pk for pk in chosen_ids.values() if pk])
            if chosen_ids[page.classification] == page.pk
        }
        featured = []
        for classification in Classification:
            page = chosen.get(classification) or (
                visible.filter(classification=classification)
                .order_by("-first_published_at", "-pk")
                .first()
            )
            if page:
                featured.append(page)
        return featured

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_case_studies"] = self.featured_case_studies(request.user)
        context["active_threads"] = list(
            Thread.objects.visible_to(request.user)
            .with_last_post()
            .select_related("forum")
            .order_by("-last_activity_at", "-pk")[:5]
        )
        index = CaseStudyIndexPage.objects.child_of(self).live().first()
        context["case_study_index_url"] = index.get_url(request) if index else ""
        return context


class StandardPage(Page):
    """A plain page of text: about, code of conduct, privacy, accessibility."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["knowledgebase.HomePage", "knowledgebase.StandardPage"]
    subpage_types = ["knowledgebase.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class Theme(models.Model):
    """A theme of the knowledge base, such as "dark web"; editors maintain the list."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")

    def __str__(self):
        return self.name


class Platform(models.Model):
    """A social-media platform or messaging service a case study involves."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform")

    def __str__(self):
        return self.name


class ActorKind(models.TextChoices):
    LAW_ENFORCEMENT = "law-enforcement", _("Law enforcement")
    CITIZENS = "citizens", _("Citizens")
    CRIMINALS = "criminals", _("Criminals")
    BUSINESSES = "businesses", _("Businesses")
    MEDIA = "media", _("Media")


class Actor(models.Model):
    """One of the fixed kinds of actor; rows exist so that case studies can point at several."""

    code = models.CharField(_("code"), max_length=32, choices=ActorKind.choices, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("actor")

    def __str__(self):
        return str(self.get_code_display())


class Classification(models.TextChoices):
    GOOD = "good", _("The good")
    BAD = "bad", _("The bad")
    UGLY = "ugly", _("The ugly")


class CaseStudyTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledgebase.CaseStudyPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CaseStudyPageQuerySet(PageQuerySet):
    def visible_to(self, user):
        """Return live case studies that *user* may see, without Wagtail view restrictions."""
        return self.live().public().filter(audience_q(user))

    def public_only(self):
        """Return what an anonymous visitor, a feed reader or a search engine may see."""
        return self.visible_to(AnonymousUser())

    def for_cards(self):
        """Fetch what a case study card shows, in a fixed number of queries."""
        return self.defer_streamfields().prefetch_related("themes")


CaseStudyPageManager = PageManager.from_queryset(CaseStudyPageQuerySet)


class CaseStudyIndexPage(ReviewedPageMixin, Page):
    """The case study library at /case-studies/, with facet filters that combine."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["knowledgebase.HomePage"]
    subpage_types = ["knowledgebase.CaseStudyPage"]
    max_count = 1

    class Meta:
        verbose_name = _("case study library")

    def get_context(self, request, *args, **kwargs):
        from .library import Library

        context = super().get_context(request, *args, **kwargs)
        context["library"] = Library(self, request)
        return context


class CaseStudyPage(AudienceRestrictedPageMixin, ReviewedPageMixin, Page):
    """One case study: what happened, what went well or wrong, and what others can learn."""

    classification = models.CharField(
        _("classification"), max_length=8, choices=Classification.choices
    )
    summary = models.TextField(
        _("summary"), max_length=600, help_text=_("Two or three sentences for cards and feeds.")
    )
    themes = ParentalManyToManyField(Theme, verbose_name=_("themes"), related_name="case_studies")
    actors = ParentalManyToManyField(
        Actor, verbose_name=_("actors"), related_name="case_studies", blank=True
    )
    platforms = ParentalManyToManyField(
        Platform, verbose_name=_("platforms"), related_name="case_studies", blank=True
    )
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text=_("The year the events took place."),
    )
    tags = ClusterTaggableManager(through=CaseStudyTag, blank=True, verbose_name=_("tags"))
    body = StreamField(CaseStudyBodyBlock(), verbose_name=_("body"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_studies",
        help_text=_("Only for the audience “One working group”."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_due = models.DateField(
        _("review due"),
        null=True,
        blank=True,
        help_text=_("Editors see the case study in the “Review due” report from this day on."),
    )
    # Title, summary and body as PostgreSQL full text, stored on each publication
    # (``community.search.case_study_vector_update``); not kept in revisions.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)

    objects = CaseStudyPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("classification"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("actors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("platforms", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("country"), FieldPanel("year")]),
                FieldPanel("tags"),
            ],
            heading=_("Facets"),
        ),
        InlinePanel("sources", heading=_("Sources"), label=_("Source")),
        InlinePanel("related_links", heading=_("Related case studies"), label=_("Related")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("audience"), FieldPanel("group")]),
                FieldRowPanel([FieldPanel("last_reviewed"), FieldPanel("review_due")]),
            ],
            heading=_("Audience and review"),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
        index.FilterField("classification"),
    ]

    parent_page_types = ["knowledgebase.CaseStudyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(audience=Audience.GROUP, group__isnull=False)
                    | (~Q(audience=Audience.GROUP) & Q(group__isnull=True))
                ),
                name="case_study_group_iff_group_audience",
            ),
        ]

    def clean(self):
        super().clean()
        if self.audience == Audience.GROUP and not self.group_id:
            raise ValidationError({"group": _("Choose the working group that may see this.")})
        if self.audience != Audience.GROUP and self.group_id:
            raise ValidationError(
                {"group": _("Only case studies for one working group name a group.")}
            )
        if self.last_reviewed and self.review_due and self.review_due < self.last_reviewed:
            raise ValidationError({"review_due": _("The review is due after the last review.")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            library_url=self.get_parent().get_url(request),
            themes=list(self.themes.all()),
            actors=list(self.actors.all()),
            platforms=list(self.platforms.all()),
            tags=list(self.tags.all()),
            sources=list(self.sources.all()),
        )
        context["related_case_studies"] = (
            CaseStudyPage.objects.visible_to(request.user)
            .for_cards()
            .filter(pk__in=self.related_links.values("case_study_id"))
            .exclude(pk=self.pk)
        )
        context["discussion"] = (
            Thread.objects.visible_to(request.user)
            .filter(case_study=self)
            .order_by("pk")
            .only("pk", "slug", "title", "post_count", "hidden_post_count", "forum_id")
            .first()
        )
        return context


class Source(Orderable):
    """Where the facts of a case study come from, with an archived copy that does not vanish."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=250)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    archived_url = models.URLField(_("archived copy"), max_length=500, blank=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("publisher"), FieldPanel("published_on")]),
        FieldPanel("url"),
        FieldPanel("archived_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("source")

    def __str__(self):
        return self.title


class RelatedCaseStudy(Orderable):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="related_links")
    case_study = models.ForeignKey(
        CaseStudyPage,
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [PageChooserPanel("case_study", "knowledgebase.CaseStudyPage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related case study")


class ChecklistAnswer(models.TextChoices):
    NONE_PRESENT = "none", _("Checked: none present")
    HANDLED = "handled", _("Present and handled")
    NOT_APPLICABLE = "n/a", _("Not applicable")


ETHICS_CHECKLIST = {
    "personal_data": _("Personal data of identifiable people"),
    "minors_or_victims": _("Minors or victims"),
    "operational_details": _("Ongoing investigations or operational details"),
    "legal_basis": _("Legal basis and permission to use the sources"),
}


class EthicsChecklistForm(TaskStateCommentForm):
    """The questions an ethics reviewer answers before a case study may be approved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checklist = {
            name: forms.ChoiceField(
                label=label, choices=ChecklistAnswer.choices, widget=forms.RadioSelect
            )
            for name, label in ETHICS_CHECKLIST.items()
        }
        # The checklist comes first; the optional comment stays last.
        self.fields = {**checklist, "comment": self.fields["comment"]}


class EthicsReviewTaskState(TaskState):
    checklist = models.JSONField(_("ethics checklist"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ethics review task state")


class EthicsReviewTask(AbstractGroupApprovalTask):
    """An approval step whose reviewers must answer the ethics and privacy checklist first."""

    task_state_class = EthicsReviewTaskState

    class Meta:
        verbose_name = _("ethics and privacy review")
        verbose_name_plural = _("ethics and privacy reviews")

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve after answering the ethics and privacy "
            "checklist: personal data, minors or victims, operational details, legal basis."
        )

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve with ethics checklist"), True),
            ]
        return []

    def get_form_for_action(self, action):
        if action == "approve":
            return EthicsChecklistForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        """Approve only with a complete checklist, whichever admin view sends the action."""
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        form = EthicsChecklistForm(data=kwargs)
        if not form.is_valid():
            raise PermissionDenied(_("Answer every question of the ethics checklist to approve."))
        task_state = task_state.specific
        task_state.checklist = {name: form.cleaned_data[name] for name in ETHICS_CHECKLIST}
        return super().on_action(
            task_state, user, action_name, comment=form.cleaned_data["comment"]
        )


class PortalDocument(AbstractDocument):
    """A Wagtail document whose file lives in private storage, outside ``MEDIA_ROOT``.

    Only Wagtail's view ``/documents/<id>/<name>`` hands it out, after checking the collection's
    privacy: no path under ``/media/``, however spelled, and no web server serving the media
    folder can reach it.
    """

    file = models.FileField(upload_to="documents", storage=private_storage, verbose_name=_("file"))

    admin_form_fields = WagtailDocument.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
