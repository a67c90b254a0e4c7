"""The portal's wording on pages it borrows: allauth's Title Case headings in sentence case."""

import re

from django import template
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()

# A capitalised word ("Password", the "Factor" of "Two-Factor"); acronyms and "I" are left alone.
CAPITALISED = re.compile(r"(?<=[\s-])([A-Z])([a-z]+)\b")


@register.filter(is_safe=True)
def sentence_case(text):
    """Return English *text* in sentence case: "Change Password" becomes "Change password"."""
    if not (get_language() or "en").startswith("en"):
        return text
    cased = CAPITALISED.sub(lambda word: word.group(1).lower() + word.group(2), str(text).strip())
    return mark_safe(cased) if isinstance(text, SafeData) else cased  # noqa: S308 - same markup
