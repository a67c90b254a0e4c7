"""The StreamField blocks of an event's programme."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class SessionBlock(blocks.StructBlock):
    """One session of the programme: when, what, and who speaks."""

    day = blocks.DateBlock(label=_("day"), required=False)
    start = blocks.TimeBlock(label=_("starts"))
    end = blocks.TimeBlock(label=_("ends"), required=False)
    title = blocks.CharBlock(label=_("title"), max_length=200)
    speakers = blocks.CharBlock(label=_("speakers"), max_length=300, required=False)

    class Meta:
        icon = "time"
        label = _("Session")
        template = "events/blocks/session_block.html"


class ProgrammeBlock(blocks.StreamBlock):
    session = SessionBlock()
