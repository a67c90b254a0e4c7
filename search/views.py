"""Search, similar threads and tag pages: only ever what the visitor may see."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from community.models import FollowLevel
from community.presenters import follow_level
from community.querysets import visible_tags
from community.views.site import PastLastPage, to_last_page

from . import ranking
from .forms import SearchForm
from .query import Filters, Query


def _page_number(request):
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        raise Http404(_("No such page.")) from None


@to_last_page
@never_cache
def search_results(request):
    """Search case studies, threads and posts; record queries that found nothing at all."""
    form = SearchForm(request.GET or None, user=request.user)
    context = {"form": form, "query": None, "results": None, "message": ""}
    context["thread"] = form.cleaned_data.get("thread") if form.is_valid() else None
    if form.is_valid() and form.cleaned_data["q"]:
        query = Query.parse(form.cleaned_data["q"])
        context["query"] = query
        if not query.has_words():
            context["message"] = _(
                "Type at least one word to search for: punctuation, emoji and very common "
                "words such as “the” are ignored."
            )
        else:
            context["results"] = _run(request, form, query)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "community/search.html", context, status=status)


def _run(request, form, query):
    filters, number = form.filters(), _page_number(request)
    sort = form.cleaned_data["sort"] or "relevance"
    unfiltered = not filters.is_set()
    promoted = ranking.promoted_case_studies(request.user, query) if unfiltered else []
    filters.exclude_case_studies = [result.pk for result in promoted]
    try:
        results = ranking.search(request.user, query, filters, sort=sort, page=number)
    except ranking.PageOutOfRange as error:
        if error.args[0] > error.last:
            raise PastLastPage(error.last) from None
        raise Http404(_("No such page of results.")) from None
    results.promoted = promoted if number == 1 else []
    _link_more(request, results)
    if unfiltered and not promoted and not results.total:
        ranking.unanswered_record(query=query)
    return results


def _link_more(request, results):
    """Point each discussion's "N more matching posts" at the search for that thread alone."""
    kept = request.GET.copy()
    for key in ("page", "type", "forum", "tag", "classification", "theme"):
        kept.pop(key, None)
    for result in results.items:
        if result.more:
            kept["thread"] = str(result.thread_pk)
            result.more_url = f"?{kept.urlencode()}"


def similar_threads(request):
    """Return, as an HTML fragment, visible threads whose titles resemble ``?title=``."""
    threads = ranking.similar_threads(request.user, request.GET.get("title", ""))
    response = render(request, "community/thread_create.html#similar_threads", {"threads": threads})
    response["Cache-Control"] = "private, max-age=60"
    return response


@to_last_page
def tag_detail(request, slug):
    """List the visible case studies and threads with a tag, newest first; 404 if none."""
    tag = get_object_or_404(visible_tags(request.user), slug=slug)
    try:
        results = ranking.search(
            request.user,
            None,
            Filters(tag=tag.slug),
            sort="date",
            page=_page_number(request),
        )
    except ranking.PageOutOfRange as error:
        if error.args[0] > error.last:
            raise PastLastPage(error.last) from None
        raise Http404(_("No such page.")) from None
    context = {
        "tag": tag,
        "results": results,
        "follow_levels": FollowLevel.choices,
        "follow_level": follow_level(request.user, tag=tag),
    }
    return render(request, "community/tag_detail.html", context)
