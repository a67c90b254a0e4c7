"""What the member typed: the query cleaned and capped, its words, and the filters chosen.

On PostgreSQL the query is read as ``websearch_to_tsquery`` reads it (English stemming); on
SQLite, the embedded default, every word left once stop words are gone must occur as a substring.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
CONFIG = "english"
# A short English list for SQLite; PostgreSQL's English configuration has its own.
STOP_WORDS = frozenset(
    """a an and are as at be but by for from has have i if in into is it its of on or so than
    that the their then there these they this to was we were what when where which who will
    with you your""".split()  # noqa: SIM905
)


class Kind(models.TextChoices):
    CASE_STUDY = "case_study", _("Case study")
    THREAD = "thread", _("Thread")
    POST = "post", _("Post")


def is_full_text() -> bool:
    """Return whether the database offers full text search (PostgreSQL)."""
    return connection.vendor == "postgresql"


def normalise(text: str) -> str:
    """Return *text* as editors see it counted: lower case, single spaces, no NUL bytes."""
    return " ".join(text.replace("\x00", "").split()).lower()[:MAX_QUERY_LENGTH]


@dataclass
class Query:
    """What was typed, cleaned and capped, and the words a search without full text looks for."""

    text: str
    was_shortened: bool = False
    terms: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: str) -> "Query":
        text = " ".join("".join(c for c in raw if c.isprintable() or c.isspace()).split())
        shortened = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH]
        phrases = re.findall(r'"([^"]+)"', text)
        rest = re.sub(r'"[^"]*"', " ", text)
        words = [w for w in re.findall(r"(?<![-\w])[^\W_]+", rest) if w.lower() not in STOP_WORDS]
        terms = [p.strip() for p in phrases if re.search(r"[^\W_]", p)] + words
        return cls(text=text, was_shortened=shortened, terms=list(dict.fromkeys(terms))[:10])

    def full_text(self) -> SearchQuery:
        return SearchQuery(self.text, search_type="websearch", config=CONFIG)

    def has_words(self) -> bool:
        """Return whether anything searchable is left once stop words and symbols are gone."""
        if not self.text:
            return False
        if not is_full_text():
            return bool(self.terms)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [CONFIG, self.text]
            )
            return cursor.fetchone()[0] > 0


@dataclass
class Filters:
    kind: str = ""
    forum: str = ""
    classification: str = ""
    theme: str = ""
    tag: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # The matching posts of this one thread (a ``Thread`` pk), each a result of its own.
    thread: int | None = None
    exclude_case_studies: list[int] = field(default_factory=list)

    def kinds(self) -> list[str]:
        """Return the kinds of result these filters can find."""
        if self.thread:
            return [Kind.POST]
        kinds = [self.kind] if self.kind else list(Kind.values)
        if self.forum:
            kinds = [k for k in kinds if k != Kind.CASE_STUDY]
        if self.classification or self.theme:
            kinds = [k for k in kinds if k == Kind.CASE_STUDY]
        return kinds

    def is_set(self) -> bool:
        chosen = (self.kind, self.forum, self.classification, self.theme, self.tag, self.thread)
        return any(chosen) or bool(self.date_from or self.date_to)

    def date_q(self, name) -> Q:
        q = Q()
        tz = timezone.get_current_timezone()
        if self.date_from:
            start = datetime.datetime.combine(self.date_from, datetime.time.min, tzinfo=tz)
            q &= Q(**{f"{name}__gte": start})
        if self.date_to:
            end = datetime.datetime.combine(
                self.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            q &= Q(**{f"{name}__lt": end})
        return q
