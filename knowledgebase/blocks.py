"""The StreamField blocks of a case study body."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Section heading")), ("h3", _("Subsection heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "knowledgebase/blocks/heading_block.html"


class FigureBlock(blocks.StructBlock):
    """An image that always carries a text alternative for people who cannot see it."""

    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=250, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "knowledgebase/blocks/figure_block.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), max_length=200, required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "knowledgebase/blocks/quote_block.html"


class CalloutBlock(blocks.StructBlock):
    """A finding the reader should not miss: what went well, what went wrong, lessons learned."""

    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "link", "ol", "ul"])

    def __init__(self, heading, modifier, **kwargs):
        self.heading = heading
        self.modifier = modifier
        super().__init__(**kwargs)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context.update(heading=self.heading, modifier=self.modifier)
        return context

    class Meta:
        icon = "doc-full"
        template = "knowledgebase/blocks/callout_block.html"


class VideoBlock(blocks.StructBlock):
    """A video on another host, linked rather than embedded so that nothing loads from it.

    The page sends no request to the video host (no iframe, no thumbnail, no script) until the
    reader chooses to follow the link, which opens the host in a new tab.
    """

    url = blocks.URLBlock(
        label=_("video address"),
        help_text=_("The https:// address of the video on its host (YouTube, Vimeo, ...)."),
    )
    title = blocks.CharBlock(label=_("title"), max_length=200)
    duration = blocks.CharBlock(
        label=_("duration"), max_length=20, required=False, help_text=_("For example 3:45.")
    )

    def clean(self, value):
        value = super().clean(value)
        if urlsplit(value["url"]).scheme != "https":
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Use an https:// address."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["host"] = urlsplit(value["url"]).hostname or ""
        context["host"] = context["host"].removeprefix("www.")
        return context

    class Meta:
        icon = "media"
        label = _("Video (linked)")
        template = "knowledgebase/blocks/video_block.html"


class CaseStudyBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        features=["bold", "italic", "link", "ol", "ul", "h3"],
        template="knowledgebase/blocks/paragraph_block.html",
    )
    heading = HeadingBlock()
    image = FigureBlock()
    quote = QuoteBlock()
    went_well = CalloutBlock(_("What went well"), "good", label=_("What went well"))
    went_wrong = CalloutBlock(_("What went wrong"), "bad", label=_("What went wrong"))
    lessons = CalloutBlock(_("Lessons learned"), "lessons", label=_("Lessons learned"))
    video = VideoBlock()
