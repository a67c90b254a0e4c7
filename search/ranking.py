"""One search over case studies, threads and posts, never beyond what the searcher may see.

Every branch starts from a ``visible_to(user)`` queryset (``Thread``, ``Post``, ``CaseStudyPage``),
so results, counts and snippets all obey the one access rule. On PostgreSQL the search is full
text (``websearch_to_tsquery``, English stemming, titles weighted above bodies, GIN indexes made
by migrations ``community.0011_search`` and ``knowledgebase.0006_search``); on SQLite, the
embedded default, every word must occur as a substring and results are ranked title matches first.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.html import escape
from wagtail.contrib.search_promotions.models import SearchPromotion

from community.models import Post, Thread
from knowledgebase.models import CaseStudyPage

from .highlighting import snippet_marked, title_marked, with_headlines
from .indexing import thread_vector
from .models import UnansweredSearch
from .query import (
    CONFIG,
    MAX_QUERY_LENGTH,
    STOP_WORDS,
    Filters,
    Kind,
    Query,
    is_full_text,
    normalise,
)

PER_PAGE = 20
# Per kind of result: more matches than this are counted as "more than" and only the newest
# this many are ranked, which keeps a search for a very common word fast.
MAX_RESULTS = 1000


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


def _thread_results(ids, query):
    threads = with_headlines(
        Thread.objects.filter(pk__in=ids).select_related("forum", "author"), query, title="title"
    )
    results = {}
    for thread in threads:
        results[thread.pk] = Result(
            pk=thread.pk,
            kind=Kind.THREAD,
            kind_label=Kind.THREAD.label,
            title=title_marked(thread, query, thread.title),
            url=thread.get_absolute_url(),
            date=thread.created_at,
            author=thread.author.get_display_name() if thread.author else "",
            place=thread.forum.name,
            place_url=thread.forum.get_absolute_url(),
        )
    return results


def _post_results(ids, query):
    posts = with_headlines(
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
            snippet=snippet_marked(post, query, post.body_markdown),
        )
    return results


def _case_study_results(ids, query):
    pages = with_headlines(
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
            title=title_marked(page, query, page.title),
            url=page.get_url(),
            date=page.first_published_at,
            place=page.get_classification_display(),
            classification=page.classification,
            snippet=snippet_marked(page, query, page.summary, whole=True),
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
