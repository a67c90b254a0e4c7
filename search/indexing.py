"""The full-text vectors of threads, posts and case studies, and what keeps them current.

The expressions below must stay the ones the migrations index (``community.0011_search``,
``knowledgebase.0006_search``), or the indexes go unused. PostgreSQL only: SQLite, the embedded
default, searches by substring and stores no vector.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorCombinable
from django.db.models import F, Func, OuterRef, Subquery

from community.models import Post
from community.models.fields import SearchVectorField
from knowledgebase.models import CaseStudyPage

from .query import CONFIG, is_full_text


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
    if is_full_text():
        vector = CaseStudyPage.objects.filter(pk=OuterRef("pk")).annotate(v=case_study_vector())
        CaseStudyPage.objects.filter(pk__in=page_ids).update(
            search_vector=Subquery(vector.values("v")[:1])
        )


def post_vector_update(*, post_ids, **kwargs):
    """Store the full-text vector of the posts *post_ids* (PostgreSQL only; SQLite has none).

    Connected to ``community.signals.post_text_changed`` in ``SearchConfig.ready()``.
    """
    if is_full_text():
        Post.objects.filter(pk__in=post_ids).update(search_vector=post_vector())


def index_for_search(sender, instance, **kwargs):
    """Store the published text of a case study for full-text search.

    Connected to Wagtail's ``page_published`` for ``CaseStudyPage`` in ``SearchConfig.ready()``.
    """
    case_study_vector_update(page_ids=[instance.pk])
