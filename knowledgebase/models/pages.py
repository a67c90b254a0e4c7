"""The home page and standard pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import RichTextField
from wagtail.models import (
    Page,
)

from community.accounts import previous_visit
from community.models import Thread

from ..library import CaseStudyIndexPage
from .case_studies import CaseStudyPage
from .taxonomy import Classification


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
        if since := previous_visit(request):
            context["new_since"] = since
            context["new_for_you"] = self.new_for_you(request.user, since)
        return context

    def new_for_you(self, user, since, size=3):
        """Return what *user* may see that is new since *since*: case studies, then discussions.

        Three queries: Wagtail's view restrictions and the case studies first published since,
        the threads with a post since whose last post is someone else's.
        """
        case_studies = list(
            CaseStudyPage.objects.visible_to(user)
            .filter(first_published_at__gt=since)
            .order_by("-first_published_at", "-pk")
            .only("title", "url_path", "first_published_at")[:size]
        )
        threads = list(
            Thread.objects.visible_to(user)
            .filter(last_activity_at__gt=since)
            .exclude(last_post__author_id=user.pk)
            .select_related("forum")
            .order_by("-last_activity_at", "-pk")[:size]
        )
        return {"case_studies": case_studies, "threads": threads}


class StandardPage(Page):
    """A plain page of text: about, code of conduct, privacy, accessibility."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["knowledgebase.HomePage", "knowledgebase.StandardPage"]
    subpage_types = ["knowledgebase.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
