"""Titles and snippets with the matches marked, escaped before any ``<mark>`` is added.

Posts are shown as plain text taken from their rendered Markdown (``Post.body_html``, sanitised
by ``community.markdown``): no link syntax, quote markers, table pipes or tags. On PostgreSQL the
database cuts and marks the snippet (``ts_headline`` over that plain text); on SQLite a window of
the text around the first term found is cut and marked here.
"""

import re
from html import unescape

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F, Func, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .query import CONFIG, is_full_text

# Private-use characters mark matches inside snippets until the text has been escaped.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET = {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}

# Tags of the stored HTML, as nh3 serialises it: every attribute value in double quotes, and
# every "<" of the text escaped. The same patterns run in Python and in PostgreSQL (ARE syntax).
_ATTRIBUTES = r'(?:\s(?:[^>"]|"[^"]*")*)?'
BLOCK_TAG = (
    r"</?(?:p|h[1-6]|li|ol|ul|blockquote|pre|table|thead|tbody|tr|td|th|hr|br)" + _ATTRIBUTES + ">"
)
ANY_TAG = r"</?[a-z][a-z0-9]*" + _ATTRIBUTES + ">"


def plain_text(html: str) -> str:
    """Return the text a reader sees in rendered *html*: blocks apart, no tags, no entities."""
    text = re.sub(ANY_TAG, "", re.sub(BLOCK_TAG, " ", html or ""))
    return " ".join(unescape(text).split())


def plain_text_sql(field: str):
    """Return *field* (stored HTML) as text in SQL, entities kept, for ``ts_headline``."""
    blocks_apart = Func(
        F(field), Value(BLOCK_TAG), Value(" "), Value("g"), function="REGEXP_REPLACE"
    )
    untagged = Func(blocks_apart, Value(ANY_TAG), Value(""), Value("g"), function="REGEXP_REPLACE")
    return Func(untagged, Value(MARK_START + MARK_STOP), Value(""), function="TRANSLATE")


def marked(text: str, *, html: bool = False) -> str:
    """Return *text* escaped, with only the search's own match markers turned into ``<mark>``.

    *html*: the text still has the entities of stored HTML (a headline of ``plain_text_sql``).
    """
    text = " ".join((unescape(text or "") if html else text or "").split())
    text = escape(text)
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
    """Annotate *queryset* with the marked *title* and a snippet of *body* (PostgreSQL only).

    *body* is a field name or an expression (``plain_text_sql``).
    """
    if query is None or not is_full_text():
        return queryset
    search = query.full_text()
    annotations = {}
    if title:
        annotations["title_hl"] = _headline(title, search, highlight_all=True)
    if body is not None:
        annotations["body_hl"] = _headline(body, search, **SNIPPET)
    return queryset.annotate(**annotations)


def title_marked(obj, query, text):
    """Return the title of *obj* with the matches of *query* marked."""
    if hasattr(obj, "title_hl"):
        return marked(obj.title_hl)
    return highlight(text, query.terms if query else [], whole=True)


def snippet_marked(obj, query, text, *, whole=False, html=False):
    """Return a snippet of *obj*'s text with the matches of *query* marked.

    *html*: *text* is stored HTML (a post), shown as its plain text.
    """
    if hasattr(obj, "body_hl"):
        return marked(obj.body_hl, html=html)
    return highlight(plain_text(text) if html else text, query.terms if query else [], whole=whole)
