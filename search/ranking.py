"""One search over case studies, threads and posts, never beyond what the searcher may see.

Every branch starts from a ``visible_to(user)`` queryset (``Thread``, ``Post``, ``CaseStudyPage``),
so results, counts and snippets all obey the one access rule. On PostgreSQL the search is full
text (``websearch_to_tsquery``, English stemming, titles weighted above bodies, GIN indexes made
by migrations ``community.0011_search`` and ``knowledgebase.0006_search``); on SQLite, the
embedded default, every word must occur as a substring and results are ranked title matches first.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from wagtail.contrib.search_promotions.models import SearchPromotion

from community.models import Post, Thread
from knowledgebase.models import CaseStudyPage

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
from .results import Result, Results, case_study_results, hydrate

PER_PAGE = 20
# Per kind of result: more matches than this are counted as "more than" and only the newest
# this many are ranked, which keeps a search for a very common word fast.
MAX_RESULTS = 1000


# Branches: one queryset of rows (kind, pk, rank, date, ...) per kind of result ------------------


def _all_terms(terms, *fields) -> Q:
    """Return a filter keeping rows where every term occurs in one of *fields* (SQLite)."""
    q = Q()
    for term in terms:
        q &= Q.create([(f"{name}__icontains", term) for name in fields], connector=Q.OR)
    return q


@dataclass
class Branch:
    """The matches of one kind, and how to rank them.

    ``prepare`` re-adds to a plain queryset of the model what ``rank`` and ``date`` refer to.
    """

    kind: str
    matches: models.QuerySet
    date: str
    rank: models.Expression
    prepare: object = None

    def counts(self) -> tuple[dict[str, int], int]:
        """Count the matches per type and in all, stopping one past ``MAX_RESULTS``."""
        found = self.matches.order_by().values("pk")[: MAX_RESULTS + 1].count()
        return {self.kind: found}, found

    def rows(self):
        """Return (kind, pk, rank, date, best_post, post_matches, titled) of the newest matches.

        Ranking every match of a very common word costs a pass over most of the table; the
        newest ``MAX_RESULTS`` matches are found by walking an index by date, then ranked.
        """
        newest = self.matches.order_by(f"-{self.date}", "-pk").values("pk")[:MAX_RESULTS]
        candidates = self.matches.model.objects.filter(pk__in=newest)
        if self.prepare:
            candidates = self.prepare(candidates)
        else:
            candidates = candidates.annotate(
                best_post=Value(None, output_field=models.IntegerField()),
                post_matches=Value(0),
                titled=Value(False),
            )
        return (
            candidates.annotate(
                kind=Value(self.kind, output_field=models.CharField()),
                rank=self.rank,
                date=F(self.date),
            )
            .order_by()
            .values("kind", "pk", "rank", "date", "best_post", "post_matches", "titled")
        )


@dataclass
class DiscussionBranch(Branch):
    """Threads found by their title, their posts, or both: one row each, whatever matched."""

    facets: tuple = ()

    def counts(self) -> tuple[dict[str, int], int]:
        """Count threads matched by title (``thread``), by posts (``post``) and in all."""
        found = (
            self.matches.order_by()
            .values("pk", "titled", "has_posts")[: MAX_RESULTS + 1]
            .aggregate(
                total=Count("pk"),
                thread=Count("pk", filter=Q(titled=True)),
                post=Count("pk", filter=Q(has_posts=True)),
            )
        )
        return {kind: found[kind] for kind in self.facets}, found["total"]


def _threads(user, filters):
    threads = Thread.objects.visible_to(user)
    if filters.forum:
        threads = threads.filter(forum__slug=filters.forum)
    if filters.tag:
        threads = threads.filter(pk__in=Thread.objects.filter(tags__slug=filters.tag).values("pk"))
    return threads


def _thread_rows(user, filters):
    """Return the threads (newest first) for a listing without words (a tag page)."""
    threads = _threads(user, filters).filter(filters.date_q("created_at"))
    return Branch(Kind.THREAD, threads, "created_at", Value(0.0))


def _matching_posts(user, query, filters):
    """Return the visible posts matching *query* in the date range, and their rank."""
    posts = Post.objects.visible_to(user).filter(filters.date_q("created_at"), is_deleted=False)
    if is_full_text():
        search = query.full_text()
        return posts.filter(search_vector=search), SearchRank(F("search_vector"), search)
    return posts.filter(_all_terms(query.terms, "body_markdown")), Value(1.0)


# What a thread found by its title alone carries in place of its matching posts.
NO_POSTS = {
    "has_posts": Value(False),
    "best_post": Value(None, output_field=models.IntegerField()),
    "post_matches": Value(0),
    "post_rank": Value(0.0),
    "post_date": Value(None, output_field=models.DateTimeField()),
}


def _post_annotations(posts, rank):
    """Return, per thread: has it matching *posts*, the best, how many, its rank, the newest."""
    in_thread = posts.filter(thread=OuterRef("pk")).order_by()
    best = in_thread.annotate(score=rank).order_by("-score", "number", "pk")
    count = in_thread.values("thread").annotate(n=Count("pk")).values("n")
    return {
        # Not correlated: PostgreSQL finds the matching posts once (GIN index), then hashes.
        "has_posts": ExpressionWrapper(
            Q(pk__in=posts.values("thread")), output_field=models.BooleanField()
        ),
        "best_post": Subquery(best.values("pk")[:1]),
        "post_matches": Coalesce(Subquery(count), 0),
        "post_rank": Coalesce(Subquery(best.values("score")[:1]), Value(0.0)),
        "post_date": Subquery(in_thread.order_by("-created_at").values("created_at")[:1]),
    }


def _discussion_rows(user, query, filters, kinds):
    """Return one row per thread whose title (``thread``) or posts (``post``) match *query*.

    A row carries the thread's best-matching post and how many of its posts match: all counted
    from ``Post.objects.visible_to(user)``, so hidden posts and unseen forums count for nothing.
    """
    posts, post_rank = _matching_posts(user, query, filters)
    if is_full_text():
        search = query.full_text()
        title_q, title_rank = Q(vector=search), SearchRank(F("vector"), search)
    else:
        title_q, title_rank = _all_terms(query.terms, "title"), Value(2.0)
    titled = (
        ExpressionWrapper(
            title_q & filters.date_q("created_at"), output_field=models.BooleanField()
        )
        if Kind.THREAD in kinds
        else Value(False)
    )
    by_posts = _post_annotations(posts, post_rank) if Kind.POST in kinds else NO_POSTS
    newest = Greatest("created_at", Coalesce("post_date", "created_at"))

    def prepare(threads):
        if is_full_text():
            threads = threads.annotate(vector=thread_vector())
        return threads.annotate(titled=titled, **by_posts).annotate(
            match_date=Case(When(titled=True, then=newest), default=F("post_date"))
        )

    matches = prepare(_threads(user, filters)).filter(Q(titled=True) | Q(has_posts=True))
    rank = Greatest(Case(When(titled=True, then=title_rank), default=Value(0.0)), F("post_rank"))
    facets = tuple(kind for kind in (Kind.THREAD, Kind.POST) if kind in kinds)
    return DiscussionBranch(Kind.THREAD, matches, "match_date", rank, prepare, facets)


def _post_rows(user, query, filters):
    """Return the matching posts of one thread (``filters.thread``), each a row of its own."""
    posts, rank = _matching_posts(user, query, filters)
    return Branch(Kind.POST, posts.filter(thread=filters.thread), "created_at", rank)


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


class PageOutOfRange(ValueError):
    """A page number outside the results; ``last`` is the last page there is."""

    def __init__(self, page, last):
        super().__init__(page)
        self.last = last


def _branches(user, query, filters):
    """Return the branches *filters* call for: case studies, discussions, a thread's posts."""
    kinds = filters.kinds()
    branches = []
    if Kind.CASE_STUDY in kinds:
        branches.append(_case_study_rows(user, query, filters))
    if filters.thread:
        branches.append(_post_rows(user, query, filters))
    elif query is None and Kind.THREAD in kinds:
        branches.append(_thread_rows(user, filters))
    elif query is not None and (Kind.THREAD in kinds or Kind.POST in kinds):
        branches.append(_discussion_rows(user, query, filters, kinds))
    return branches


def search(user, query: Query | None, filters: Filters, *, sort="relevance", page=1):
    """Return one page of what *user* may see matching *query* (``None``: everything) and filters.

    A discussion is one result however many of its posts match, unless ``filters.thread``
    asks for the matching posts of one thread. Raises ``PageOutOfRange`` for a page that is not.
    """
    branches, counts, found = _branches(user, query, filters), {}, {}
    for branch in branches:
        branch_counts, found[branch.kind] = branch.counts()
        counts |= branch_counts
    is_capped = any(n > MAX_RESULTS for n in [*counts.values(), *found.values()])
    counts = {kind: min(n, MAX_RESULTS) for kind, n in counts.items()}
    total = sum(min(n, MAX_RESULTS) for n in found.values())
    page_count = max(1, -(-total // PER_PAGE))
    if not 1 <= page <= page_count:
        raise PageOutOfRange(page, page_count)
    items = []
    if total:
        parts = [branch.rows() for branch in branches if found[branch.kind]]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        order = ["-rank", "-date"] if sort == "relevance" else ["-date", "-rank"]
        start = (page - 1) * PER_PAGE
        items = hydrate(list(rows.order_by(*order, "-pk")[start : start + PER_PAGE]), query)
    return Results(
        items=items,
        counts=counts,
        found=total,
        number=page,
        page_count=page_count,
        is_capped=is_capped,
    )


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
    results = case_study_results(visible, None)
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
