"""What forum pages show of the knowledge base: the case study a thread discusses.

The community app never imports the knowledge base; its templates load this library instead.
"""

from django import template
from wagtail.images.models import Picture
from wagtail.images.shortcuts import get_renditions_or_not_found

from community.permissions import can_propose_case_study

from ..models import CaseStudyPage, Classification

register = template.Library()


@register.simple_tag
def discussed_case_study(user, thread):
    """Return the case study *thread* discusses, if *user* may see it (one query, if linked)."""
    if not thread.case_study_id:
        return None
    return CaseStudyPage.objects.visible_to(user).filter(pk=thread.case_study_id).first()


@register.simple_tag
def case_study_classifications(user, thread):
    """Return the choices of the "turn into a case study" form, if *user* may propose one."""
    return Classification.choices if can_propose_case_study(user, thread) else []


# Widths a case-study figure is rendered at (CSS pixels x density, for a column of at most
# ~40rem); the first is the <img>'s own src, width and height (what browsers without srcset get).
FIGURE_WIDTHS = (800, 400, 1200)
FIGURE_SIZES = "(max-width: 44rem) 100vw, 40rem"
# The original's format, for browsers without WebP; anything else falls back to PNG (lossless).
FALLBACK_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp"}


@register.simple_tag
def figure_picture(image, alt, *, lazy=True):
    """Return a <picture> of *image*: WebP at several widths, the original format as fallback.

    Widths past the original's are left out (renditions never upscale), so each width in a
    srcset is a different file. The <img> carries width and height (no layout shift) and,
    *lazy*, loads when it nears the viewport.
    """
    if not image:
        return ""
    widths = list(dict.fromkeys(min(width, image.width) for width in FIGURE_WIDTHS))
    extension = image.file.name.rsplit(".", 1)[-1].lower()
    formats = dict.fromkeys([FALLBACK_FORMATS.get(extension, "png"), "webp"])
    specs = [f"width-{width}|format-{fmt}" for fmt in formats for width in widths]
    attrs = {"alt": alt, "sizes": FIGURE_SIZES, "decoding": "async"}
    if lazy:
        attrs["loading"] = "lazy"
    return Picture(get_renditions_or_not_found(image, specs), attrs).__html__()
