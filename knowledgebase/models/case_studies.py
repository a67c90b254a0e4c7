"""Case studies, their index page, their sources and related case studies; the audience and
review rules their pages follow."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import StreamField
from wagtail.models import (
    Orderable,
    Page,
    PageManager,
)
from wagtail.query import PageQuerySet
from wagtail.search import index

from community.models import AudienceMixin, Thread
from community.models.search import SearchVectorField
from community.permissions import audience_q, can_see

from ..blocks import CaseStudyBodyBlock
from ..countries import COUNTRY_CHOICES
from ..review import ReviewedPagePermissionTester
from .taxonomy import Actor, CaseStudyTag, Classification, Platform, Theme


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

    def serve(self, request, *args, **kwargs):
        from ..library import PastLastPage

        try:
            return super().serve(request, *args, **kwargs)
        except PastLastPage as past:
            return redirect(f"{request.path}{past.url}".rstrip("?"))

    def get_context(self, request, *args, **kwargs):
        from ..library import Library

        context = super().get_context(request, *args, **kwargs)
        context["library"] = Library(self, request)
        return context


class CaseStudyPage(AudienceRestrictedPageMixin, ReviewedPageMixin, AudienceMixin, Page):
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

    class Meta(AudienceMixin.Meta):
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def clean(self):
        super().clean()
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
