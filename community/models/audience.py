"""The audience of what the portal shows: one set of fields, one constraint, one validation."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..permissions import Audience


class AudienceMixin(models.Model):
    """Who may see this: an ``Audience``, and the working group when the audience is one group.

    Forums, case studies and events use it; ``permissions.can_see`` and ``audience_q`` read the
    two fields. A model changes the default audience by declaring ``audience`` again.
    """

    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    group = models.ForeignKey(
        "community.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Required when the audience is one working group, empty otherwise."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience=Audience.GROUP, group__isnull=False)
                    | (~models.Q(audience=Audience.GROUP) & models.Q(group__isnull=True))
                ),
                name="%(app_label)s_%(class)s_group_iff_group_audience",
                violation_error_message=_(
                    "Choose a working group when, and only when, the audience is one working group."
                ),
            ),
        ]

    def clean(self):
        super().clean()
        if self.audience == Audience.GROUP and not self.group_id:
            raise ValidationError({"group": _("Choose the working group that may see this.")})
        if self.audience != Audience.GROUP and self.group_id:
            raise ValidationError(
                {"group": _("Only what one working group may see names a working group.")}
            )
