"""Wagtail page types of the knowledge base."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The front door: what the community is for, and a call to join."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)
    join_call = models.CharField(
        _("call to join"),
        max_length=200,
        blank=True,
        default=_("Join practitioners across Europe who share what works, and what does not."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("join_call"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["knowledgebase.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """A plain page of text: about, code of conduct, privacy, accessibility."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["knowledgebase.HomePage", "knowledgebase.StandardPage"]
    subpage_types = ["knowledgebase.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
