"""What a page of search results shows: one entry per case study, discussion or post.

A discussion is one entry however many of its posts match: its best-matching post is shown
(an opening post under the thread's title, a reply as "Reply in …"), with the number of its
other matching posts. The rows come from ``ranking``, which has already applied the access rule.
"""

import datetime
from dataclasses import dataclass, field

from community.models import Post, Thread
from knowledgebase.models import CaseStudyPage

from .highlighting import plain_text_sql, snippet_marked, title_marked, with_headlines
from .query import Kind


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
    is_reply: bool = False
    thread_pk: int | None = None
    # Other matching posts of the discussion, and the search listing them all (set by the view).
    more: int = 0
    more_url: str = ""


@dataclass
class Results:
    items: list[Result]
    counts: dict[str, int]
    number: int
    page_count: int
    found: int = 0
    is_capped: bool = False
    promoted: list[Result] = field(default_factory=list)

    @property
    def total(self):
        return self.found + len(self.promoted)

    @property
    def page(self):
        return {"number": self.number, "count": self.page_count}

    @property
    def count_list(self):
        """Return (kind, label, count) for each kind of result found.

        A discussion whose title and posts both match counts under "Thread" and under "Post":
        each count is what choosing that type shows.
        """
        return [(kind, Kind(kind).label, n) for kind, n in self.counts.items() if n]


def _posts(ids, query):
    posts = Post.objects.filter(pk__in=ids).select_related("thread__forum", "author")
    return {
        post.pk: post for post in with_headlines(posts, query, body=plain_text_sql("body_html"))
    }


def _post_result(post, query, *, title, more=0):
    """Return *post* as a result: an opening post under its thread's title, a reply as a reply."""
    is_reply = post.number > 1
    return Result(
        pk=post.pk,
        kind=Kind.POST if is_reply else Kind.THREAD,
        kind_label=Kind.POST.label if is_reply else Kind.THREAD.label,
        title=title,
        url=post.get_absolute_url() if is_reply else post.thread.get_absolute_url(),
        date=post.created_at,
        author=post.author.get_display_name() if post.author else "",
        place=post.thread.forum.name,
        place_url=post.thread.forum.get_absolute_url(),
        snippet=snippet_marked(post, query, post.body_html, html=True),
        is_reply=is_reply,
        thread_pk=post.thread_id,
        more=more,
    )


def discussion_results(rows, query):
    """Return a result per discussion of *rows*: the thread, or its best-matching post."""
    threads = with_headlines(
        Thread.objects.filter(pk__in=[row["pk"] for row in rows]).select_related("forum", "author"),
        query,
        title="title",
    )
    posts = _posts([row["best_post"] for row in rows if row["best_post"]], query)
    results = {}
    for thread in threads:
        row = next(row for row in rows if row["pk"] == thread.pk)
        post, title = posts.get(row["best_post"]), title_marked(thread, query, thread.title)
        more = max(0, row["post_matches"] - 1)
        if post is not None and not row["titled"]:
            post.thread = thread
            results[thread.pk] = _post_result(post, query, title=title, more=more)
            continue
        results[thread.pk] = Result(
            pk=thread.pk,
            kind=Kind.THREAD,
            kind_label=Kind.THREAD.label,
            title=title,
            url=thread.get_absolute_url(),
            date=thread.created_at,
            author=thread.author.get_display_name() if thread.author else "",
            place=thread.forum.name,
            place_url=thread.forum.get_absolute_url(),
            snippet=snippet_marked(post, query, post.body_html, html=True) if post else "",
            thread_pk=thread.pk,
            more=more,
        )
    return results


def post_results(rows, query):
    """Return each post of *rows* as a result of its own (the posts of one discussion)."""
    posts = _posts([row["pk"] for row in rows], query)
    threads = {}
    for post in posts.values():
        thread = threads.setdefault(post.thread_id, post.thread)
        post.thread = thread
    titles = {pk: title_marked(thread, None, thread.title) for pk, thread in threads.items()}
    return {
        pk: _post_result(post, query, title=titles[post.thread_id]) for pk, post in posts.items()
    }


def case_study_results(ids, query):
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


def hydrate(rows, query):
    """Return the results of *rows* (kind, pk, best_post, post_matches, titled), in order."""
    found = {}
    for kind, build in [
        (Kind.CASE_STUDY, lambda rows: case_study_results([r["pk"] for r in rows], query)),
        (Kind.THREAD, lambda rows: discussion_results(rows, query)),
        (Kind.POST, lambda rows: post_results(rows, query)),
    ]:
        of_kind = [row for row in rows if row["kind"] == kind]
        if of_kind:
            found[kind] = build(of_kind)
    return [found[row["kind"]][row["pk"]] for row in rows if row["pk"] in found[row["kind"]]]
