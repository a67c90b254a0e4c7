"""What case studies are filed under: themes, platforms, actors, classification and tags."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
)


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
