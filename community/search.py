"""One search over case studies, threads and posts, never beyond what the searcher may see.

Every branch starts from a ``visible_to(user)`` queryset (``Thread``, ``Post``, ``CaseStudyPage``),
so results, counts and snippets all obey the one access rule. On PostgreSQL the search is full
text (``websearch_to_tsquery``, English stemming, titles weighted above bodies, GIN indexes made
by migration ``community.0009_search``); on SQLite, the embedded default, every word must occur
as a substring and results are ranked title matches first.
"""

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorCombinable,
)
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Func, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Forum, Post, Thread, UnansweredSearch
from .models.search import SearchVectorField

MAX_QUERY_LENGTH = 200
PER_PAGE = 20
# Per kind of result: more matches than this are counted as "more than" and only the newest
# this many are ranked, which keeps a search for a very common word fast.
MAX_RESULTS = 1000
CONFIG = "english"
# Private-use characters mark matches inside snippets until the text has been escaped.
MARK_START, MARK_STOP = "\ue000", "\ue001"
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


# The expressions below must stay the ones the migration indexes, or the indexes go unused.


def thread_vector():
    return SearchVector("title", config=CONFIG, weight="A")


def post_vector():
    return SearchVector("body_markdown", config=CONFIG, weight="B")


class StreamFieldVector(SearchVectorCombinable, Func):
    """The text of a StreamField's block values (not their types or ids), as a ``tsvector``."""

    template = (
        "setweight(jsonb_to_tsvector('english'::regconfig, "
        "jsonb_path_query_array(%(expressions)s, 'strict $[*].value'), '[\"string\"]'), 'C')"
    )
    output_field = SearchVectorField()


def case_study_vector():
    return (
        SearchVector("title", config=CONFIG, weight="A")
        + SearchVector("summary", config=CONFIG, weight="B")
        + StreamFieldVector(F("body"))
    )


def case_study_vector_update(*, page_ids):
    """Store the full-text vector of the case studies *page_ids* as published (PostgreSQL)."""
    from knowledgebase.models import CaseStudyPage

    if is_full_text():
        vector = CaseStudyPage.objects.filter(pk=OuterRef("pk")).annotate(v=case_study_vector())
        CaseStudyPage.objects.filter(pk__in=page_ids).update(
            search_vector=Subquery(vector.values("v")[:1])
        )


def post_vector_update(*, post_ids, **kwargs):
    """Store the full-text vector of the posts *post_ids* (PostgreSQL only; SQLite has none).

    Connected to ``community.signals.post_text_changed``.
    """
    if is_full_text():
        Post.objects.filter(pk__in=post_ids).update(search_vector=post_vector())


# The query the member typed ----------------------------------------------------------------


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


class SearchForm(forms.Form):
    """The search box and its filters; values that match nothing are refused with a message."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Everything")), *Kind.choices]
    )
    forum = forms.ChoiceField(label=_("Forum"), required=False)
    classification = forms.ChoiceField(label=_("Classification"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    tag = forms.SlugField(label=_("Tag"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
    )

    def __init__(self, data, *, user):
        from knowledgebase.models import Classification, Theme

        if data is not None and "\x00" in data.get("q", ""):
            # A NUL byte is noise here (browsers never send one): drop it rather than refuse.
            data = data.copy()
            data["q"] = data["q"].replace("\x00", "")
        super().__init__(data)
        self.fields["q"].widget.attrs.update(maxlength=MAX_QUERY_LENGTH, type="search")
        self.fields["forum"].choices = [("", _("All forums"))] + [
            (forum.slug, forum.name)
            for forum in Forum.objects.visible_to(user).only("slug", "name").order_by("name")
        ]
        self.fields["classification"].choices = [("", _("Any")), *Classification.choices]
        self.fields["theme"].choices = [
            ("", _("Any theme")),
            *Theme.objects.values_list("slug", "name"),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose an end date on or after the start date."))
        return data

    def filters(self) -> "Filters":
        data = self.cleaned_data
        return Filters(
            kind=data.get("type") or "",
            forum=data.get("forum") or "",
            classification=data.get("classification") or "",
            theme=data.get("theme") or "",
            tag=data.get("tag") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@dataclass
class Filters:
    kind: str = ""
    forum: str = ""
    classification: str = ""
    theme: str = ""
    tag: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    exclude_case_studies: list[int] = field(default_factory=list)

    def kinds(self) -> list[str]:
        """Return the kinds of result these filters can find."""
        kinds = [self.kind] if self.kind else list(Kind.values)
        if self.forum:
            kinds = [k for k in kinds if k != Kind.CASE_STUDY]
        if self.classification or self.theme:
            kinds = [k for k in kinds if k == Kind.CASE_STUDY]
        return kinds

    def is_set(self) -> bool:
        chosen = (self.kind, self.forum, self.classification, self.theme, self.tag)
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


# Branches: one queryset of (kind, pk, rank, date) per kind -----------------------------------


def _all_terms(terms, *fields) -> Q:
    """Return a filter keeping rows where every term occurs in one of *fields* (SQLite)."""
    q = Q()
    for term in terms:
        q &= Q.create([(f"{name}__icontains", term) for name in fields], connector=Q.OR)
    return q


@dataclass
class Branch:
    """The matches of one kind, and how to rank them.

    ``prepare`` re-adds to a plain queryset of the model what ``rank`` refers to (a vector).
    """

    kind: str
    matches: models.QuerySet
    date: str
    rank: models.Expression
    prepare: object = None

    def count(self) -> int:
        """Count the matches, stopping one past ``MAX_RESULTS``."""
        return self.matches.order_by().values("pk")[: MAX_RESULTS + 1].count()

    def rows(self):
        """Return (kind, pk, rank, date) of the ``MAX_RESULTS`` newest matches.

        Ranking every match of a very common word costs a pass over most of the table; the
        newest matches are found by walking an index by date and stopping early, then ranked.
        """
        newest = self.matches.order_by(f"-{self.date}", "-pk").values("pk")[:MAX_RESULTS]
        candidates = self.matches.model.objects.filter(pk__in=newest)
        if self.prepare:
            candidates = self.prepare(candidates)
        return (
            candidates.annotate(
                kind=Value(self.kind, output_field=models.CharField()),
                rank=self.rank,
                date=F(self.date),
            )
            .order_by()
            .values("kind", "pk", "rank", "date")
        )


def _thread_rows(user, query, filters):
    threads = Thread.objects.visible_to(user).filter(filters.date_q("created_at"))
    if filters.forum:
        threads = threads.filter(forum__slug=filters.forum)
    if filters.tag:
        threads = threads.filter(pk__in=Thread.objects.filter(tags__slug=filters.tag).values("pk"))
    if query is None:
        return Branch(Kind.THREAD, threads, "created_at", Value(0.0))
    if is_full_text():
        search = query.full_text()
        threads = threads.annotate(vector=thread_vector()).filter(vector=search)
        return Branch(
            Kind.THREAD,
            threads,
            "created_at",
            SearchRank(F("vector"), search),
            lambda qs: qs.annotate(vector=thread_vector()),
        )
    threads = threads.filter(_all_terms(query.terms, "title"))
    return Branch(Kind.THREAD, threads, "created_at", Value(2.0))


def _post_rows(user, query, filters):
    posts = Post.objects.visible_to(user).filter(filters.date_q("created_at"), is_deleted=False)
    if filters.forum:
        posts = posts.filter(thread__forum__slug=filters.forum)
    if filters.tag:
        posts = posts.filter(thread__in=Thread.objects.filter(tags__slug=filters.tag).values("pk"))
    if is_full_text():
        search = query.full_text()
        posts = posts.filter(search_vector=search)
        return Branch(Kind.POST, posts, "created_at", SearchRank(F("search_vector"), search))
    posts = posts.filter(_all_terms(query.terms, "body_markdown"))
    return Branch(Kind.POST, posts, "created_at", Value(1.0))


def _case_study_rows(user, query, filters):
    from knowledgebase.models import CaseStudyPage

    pages = (
        CaseStudyPage.objects.visible_to(user)
        .filter(filters.date_q("first_published_at"))
        .exclude(pk__in=filters.exclude_case_studies)
    )
    if filters.classification:
        pages = pages.filter(classification=filters.classification)
    for lookup, value in [("themes__slug", filters.theme), ("tags__slug", filters.tag)]:
        if value:
            pages = pages.filter(
                pk__in=CaseStudyPage.objects.filter(**{lookup: value}).values("pk")
            )
    date = "first_published_at"
    if query is None:
        return Branch(Kind.CASE_STUDY, pages, date, Value(0.0))
    if is_full_text():
        search = query.full_text()
        pages = pages.filter(search_vector=search)
        return Branch(Kind.CASE_STUDY, pages, date, SearchRank(F("search_vector"), search))
    title_first = models.Case(
        models.When(_all_terms(query.terms, "title"), then=Value(2.0)),
        default=Value(1.0),
    )
    pages = pages.filter(_all_terms(query.terms, "title", "summary"))
    return Branch(Kind.CASE_STUDY, pages, date, title_first)


BRANCHES = {
    Kind.CASE_STUDY: _case_study_rows,
    Kind.THREAD: _thread_rows,
    Kind.POST: _post_rows,
}


# Results -------------------------------------------------------------------------------------


@dataclass
class Result:
    pk: int
    kind: str
    kind_label: str
    title: str
    url: str
    date: datetime.datetime | None
    author: str = ""
    place: str = ""
    place_url: str = ""
    classification: str = ""
    snippet: str = ""


@dataclass
class Results:
    items: list[Result]
    counts: dict[str, int]
    number: int
    page_count: int
    is_capped: bool = False
    promoted: list[Result] = field(default_factory=list)

    @property
    def total(self):
        return sum(self.counts.values()) + len(self.promoted)

    @property
    def page(self):
        return {"number": self.number, "count": self.page_count}

    @property
    def count_list(self):
        """Return (kind, label, count) for each kind of result found."""
        return [(kind, Kind(kind).label, n) for kind, n in self.counts.items() if n]


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


SNIPPET = {"max_words": 30, "min_words": 12, "max_fragments": 2, "fragment_delimiter": " … "}


def _annotate_headlines(queryset, query, *, title=None, body=None):
    if query is None or not is_full_text():
        return queryset
    search = query.full_text()
    annotations = {}
    if title:
        annotations["title_hl"] = _headline(title, search, highlight_all=True)
    if body:
        annotations["body_hl"] = _headline(body, search, **SNIPPET)
    return queryset.annotate(**annotations)


def _title(obj, query, text):
    if hasattr(obj, "title_hl"):
        return marked(obj.title_hl)
    return highlight(text, query.terms if query else [], whole=True)


def _snippet(obj, query, text, *, whole=False):
    if hasattr(obj, "body_hl"):
        return marked(obj.body_hl)
    return highlight(text, query.terms if query else [], whole=whole)


def _thread_results(ids, query):
    threads = _annotate_headlines(
        Thread.objects.filter(pk__in=ids).select_related("forum", "author"), query, title="title"
    )
    results = {}
    for thread in threads:
        results[thread.pk] = Result(
            pk=thread.pk,
            kind=Kind.THREAD,
            kind_label=Kind.THREAD.label,
            title=_title(thread, query, thread.title),
            url=thread.get_absolute_url(),
            date=thread.created_at,
            author=thread.author.get_display_name() if thread.author else "",
            place=thread.forum.name,
            place_url=thread.forum.get_absolute_url(),
        )
    return results


def _post_results(ids, query):
    posts = _annotate_headlines(
        Post.objects.filter(pk__in=ids).select_related("thread__forum", "author"),
        query,
        body="body_markdown",
    )
    results = {}
    for post in posts:
        results[post.pk] = Result(
            pk=post.pk,
            kind=Kind.POST,
            kind_label=Kind.POST.label,
            title=escape(post.thread.title),
            url=post.get_absolute_url(),
            date=post.created_at,
            author=post.author.get_display_name() if post.author else "",
            place=post.thread.forum.name,
            place_url=post.thread.forum.get_absolute_url(),
            snippet=_snippet(post, query, post.body_markdown),
        )
    return results


def _case_study_results(ids, query):
    from knowledgebase.models import CaseStudyPage

    pages = _annotate_headlines(
        CaseStudyPage.objects.filter(pk__in=ids).defer_streamfields(),
        query,
        title="title",
        body="summary",
    )
    results = {}
    for page in pages:
        results[page.pk] = Result(
            pk=page.pk,
            kind=Kind.CASE_STUDY,
            kind_label=Kind.CASE_STUDY.label,
            title=_title(page, query, page.title),
            url=page.get_url(),
            date=page.first_published_at,
            place=page.get_classification_display(),
            classification=page.classification,
            snippet=_snippet(page, query, page.summary, whole=True),
        )
    return results


HYDRATE = {
    Kind.CASE_STUDY: _case_study_results,
    Kind.THREAD: _thread_results,
    Kind.POST: _post_results,
}


class PageOutOfRange(ValueError):
    """A page number outside the results; ``last`` is the last page there is."""

    def __init__(self, page, last):
        super().__init__(page)
        self.last = last


def search(user, query: Query | None, filters: Filters, *, sort="relevance", page=1):
    """Return one page of what *user* may see matching *query* (``None``: everything) and filters.

    Raises ``ValueError`` for a page beyond the last one.
    """
    kinds = [kind for kind in filters.kinds() if query is not None or kind != Kind.POST]
    branches = {kind: BRANCHES[kind](user, query, filters) for kind in kinds}
    counts = {kind: branch.count() for kind, branch in branches.items()}
    is_capped = any(n > MAX_RESULTS for n in counts.values())
    counts = {kind: min(n, MAX_RESULTS) for kind, n in counts.items()}
    total = sum(counts.values())
    page_count = max(1, -(-total // PER_PAGE))
    if not 1 <= page <= page_count:
        raise PageOutOfRange(page, page_count)
    items = []
    if total:
        parts = [branch.rows() for kind, branch in branches.items() if counts[kind]]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        order = ["-rank", "-date"] if sort == "relevance" else ["-date", "-rank"]
        start = (page - 1) * PER_PAGE
        rows = list(rows.order_by(*order, "-pk")[start : start + PER_PAGE])
        items = _hydrate(rows, query)
    return Results(
        items=items, counts=counts, number=page, page_count=page_count, is_capped=is_capped
    )


def _hydrate(rows, query):
    found = {}
    for kind in Kind.values:
        ids = [row["pk"] for row in rows if row["kind"] == kind]
        if ids:
            found[kind] = HYDRATE[kind](ids, query)
    return [found[row["kind"]][row["pk"]] for row in rows if row["pk"] in found[row["kind"]]]


def promoted_case_studies(user, query: Query) -> list[Result]:
    """Return the case studies editors pinned to *query* that *user* may see, in their order."""
    from wagtail.contrib.search_promotions.models import SearchPromotion

    from knowledgebase.models import CaseStudyPage

    page_ids = list(
        SearchPromotion.objects.filter(
            query__query_string=normalise(query.text), page__isnull=False
        )
        .order_by("sort_order")
        .values_list("page_id", flat=True)
    )
    if not page_ids:
        return []
    visible = CaseStudyPage.objects.visible_to(user).filter(pk__in=page_ids).values("pk")
    results = _case_study_results(visible, None)
    return [results[pk] for pk in page_ids if pk in results]


def unanswered_record(*, query: Query) -> None:
    """Count one search for *query* that found nothing (the text only: no member, no address)."""
    text = normalise(query.text)
    if not text:
        return
    today = timezone.localdate()
    updated = UnansweredSearch.objects.filter(query=text).update(
        count=F("count") + 1, last_searched_on=today
    )
    if not updated:
        try:
            with transaction.atomic():
                UnansweredSearch.objects.create(query=text, last_searched_on=today)
        except IntegrityError:
            UnansweredSearch.objects.filter(query=text).update(
                count=F("count") + 1, last_searched_on=today
            )


def similar_threads(user, title: str, *, limit=5):
    """Return up to *limit* visible threads whose titles share words with *title*."""
    words = [
        w
        for w in re.findall(r"\w+", title[:MAX_QUERY_LENGTH])
        if len(w) > 2 and w.lower() not in STOP_WORDS
    ][:12]
    if not words:
        return []
    threads = Thread.objects.visible_to(user).select_related("forum")
    if is_full_text():
        search = SearchQuery(" or ".join(words), search_type="websearch", config=CONFIG)
        threads = (
            threads.annotate(vector=thread_vector())
            .filter(vector=search)
            .annotate(rank=SearchRank(F("vector"), search))
            .order_by("-rank", "-last_activity_at")
        )
    else:
        threads = threads.filter(
            Q.create([("title__icontains", w) for w in words], connector=Q.OR)
        ).order_by("-last_activity_at")
    return list(threads[:limit])
