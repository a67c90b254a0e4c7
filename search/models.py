"""What search remembers: queries that found nothing, counted without any personal data."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnansweredSearch(models.Model):
    """A normalised query that found nothing: how often, and the last day it was asked.

    No member, address or time of day is kept: editors see what people look for in vain.
    """

    query = models.CharField(_("query"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("times asked"), default=1)
    last_searched_on = models.DateField(_("last asked on"), default=timezone.localdate)

    class Meta:
        # The table the community app made before search became an app of its own.
        db_table = "community_unansweredsearch"
        ordering = ["-count", "-last_searched_on", "query"]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        constraints = [
            models.CheckConstraint(condition=~models.Q(query=""), name="unanswered_query_set"),
        ]

    def __str__(self):
        return self.query
