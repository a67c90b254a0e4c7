"""Titles and snippets with the matches marked, escaped before any ``<mark>`` is added.

On PostgreSQL the database writes the headlines (``ts_headline``); on SQLite a window of the
text around the first term found is cut and marked here.
"""

import re

from django.contrib.postgres.search import SearchHeadline
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .query import CONFIG, is_full_text

# Private-use characters mark matches inside snippets until the text has been escaped.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET = {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}


def marked(text: str) -> str:
    """Return *text* escaped, with only the search's own match markers turned into ``<mark>``."""
    text = escape(re.sub(r"\*\*|__|~~|`+|^[>#|\s]+", "", text or "", flags=re.MULTILINE))
    text = re.sub(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}", r"<mark>\1</mark>", text)
    return mark_safe(text.replace(MARK_START, "").replace(MARK_STOP, ""))  # noqa: S308


def highlight(text: str, terms: list[str], *, width: int = 240, whole: bool = False) -> str:
    """Return a window of *text* around the first term found, terms marked (no full text)."""
    text = " ".join((text or "").replace(MARK_START, "").replace(MARK_STOP, "").split())
    if not terms:
        return marked(text if whole else text[:width])
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    if not whole:
        found = pattern.search(text)
        start = max(0, (found.start() if found else 0) - width // 3)
        text = ("…" if start else "") + text[start : start + width]
    return marked(pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_STOP}", text))


def _headline(expression, search, **options):
    return SearchHeadline(
        expression, search, config=CONFIG, start_sel=MARK_START, stop_sel=MARK_STOP, **options
    )


def with_headlines(queryset, query, *, title=None, body=None):
    """Annotate *queryset* with the marked *title* and a snippet of *body* (PostgreSQL only)."""
    if query is None or not is_full_text():
        return queryset
    search = query.full_text()
    annotations = {}
    if title:
        annotations["title_hl"] = _headline(title, search, highlight_all=True)
    if body:
        annotations["body_hl"] = _headline(body, search, **SNIPPET)
    return queryset.annotate(**annotations)


def title_marked(obj, query, text):
    """Return the title of *obj* with the matches of *query* marked."""
    if hasattr(obj, "title_hl"):
        return marked(obj.title_hl)
    return highlight(text, query.terms if query else [], whole=True)


def snippet_marked(obj, query, text, *, whole=False):
    """Return a snippet of *obj*'s text with the matches of *query* marked."""
    if hasattr(obj, "body_hl"):
        return marked(obj.body_hl)
    return highlight(text, query.terms if query else [], whole=whole)
