"""The case study library: its index page, facet filters that combine, counts, pagination.

Every facet reads one GET parameter that may repeat; all values given must match, so that
``?theme=dark-web&theme=trolling`` keeps case studies with both themes and contradictory filters
(``?classification=good&classification=bad``) simply leave nothing. Unknown values match
nothing. Counts say how many case studies the viewer would find after choosing that value, and
only count case studies the viewer may see. Each facet costs one grouped query, whatever the
number of case studies or values.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from .countries import COUNTRY_CHOICES
from .models.case_studies import CaseStudyPage, ReviewedPageMixin
from .models.taxonomy import Actor, ActorKind, Classification, Platform, Theme

PER_PAGE = 12
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 10
MAX_TAGS = 30


class PastLastPage(Http404):
    """A page past the last one; the library page redirects to ``url``, its last page."""

    def __init__(self, url):
        super().__init__(_("There is no such page of case studies."))
        self.url = url


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    is_selected: bool


# Values shown before a facet's "Show all" disclosure.
FACET_SHOWN = 6
SHOW_ALL = {
    "classification": ngettext_lazy(
        "Show all %(count)d classification", "Show all %(count)d classifications", "count"
    ),
    "theme": ngettext_lazy("Show all %(count)d theme", "Show all %(count)d themes", "count"),
    "actor": ngettext_lazy("Show all %(count)d actor", "Show all %(count)d actors", "count"),
    "platform": ngettext_lazy(
        "Show all %(count)d platform", "Show all %(count)d platforms", "count"
    ),
    "country": ngettext_lazy("Show all %(count)d country", "Show all %(count)d countries", "count"),
    "year": ngettext_lazy("Show all %(count)d year", "Show all %(count)d years", "count"),
    "tag": ngettext_lazy("Show all %(count)d tag", "Show all %(count)d tags", "count"),
}


@dataclass
class Facet:
    name: str
    legend: str
    is_multiple: bool
    values: list[FacetValue] = field(default_factory=list)
    has_selection: bool = False

    @property
    def shown(self):
        return self.values[:FACET_SHOWN]

    @property
    def more(self):
        """Return the values behind the "Show all" disclosure."""
        return self.values[FACET_SHOWN:]

    @property
    def more_is_open(self):
        return any(value.is_selected for value in self.more)

    @property
    def show_all_label(self):
        return SHOW_ALL[self.name] % {"count": len(self.values)}


class Library:
    """The filtered, counted and paginated case studies of one request."""

    # name, legend, whether several values can be chosen (checkboxes) or one (radios)
    FACETS = [
        ("classification", _("Classification"), False),
        ("theme", _("Theme"), True),
        ("actor", _("Actor"), True),
        ("platform", _("Platform"), True),
        ("country", _("Country"), False),
        ("year", _("Year"), False),
        ("tag", _("Tag"), True),
    ]

    def __init__(self, index_page, request):
        self.index_page = index_page
        self.user = request.user
        self.selected = {
            name: list(dict.fromkeys(v for v in request.GET.getlist(name) if v))[
                :MAX_VALUES_PER_FACET
            ]
            for name, _legend, _multiple in self.FACETS
        }
        self.query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
        self.visible = CaseStudyPage.objects.child_of(index_page).visible_to(self.user).order_by()
        self.results = self.filter(self.visible)
        self.page_obj = self.paginate(request.GET.get("page", "1"))
        self.facets = [
            self.facet(name, legend, is_multiple) for name, legend, is_multiple in self.FACETS
        ]

    # Filtering

    def filter(self, queryset, skip=None):
        """Return *queryset* narrowed by every selected value, except those of facet *skip*."""
        if self.query:
            queryset = queryset.filter(
                Q(title__icontains=self.query) | Q(summary__icontains=self.query)
            )
        for name, values in self.selected.items():
            if name == skip:
                continue
            for value in values:
                queryset = queryset.filter(self.condition(name, value))
        return queryset

    @staticmethod
    def condition(name, value):
        """Return the filter for one facet value; a value that cannot match matches nothing."""
        lookups = {
            "classification": "classification",
            "theme": "themes__slug",
            "platform": "platforms__slug",
            "actor": "actors__code",
            "country": "country",
            "tag": "tags__slug",
        }
        if "\x00" in value:
            # No stored value holds a NUL byte, and PostgreSQL refuses to compare with one.
            return Q(pk__in=[])
        if name == "year":
            if not value.isdigit() or len(value) > 4:
                return Q(pk__in=[])
            return Q(year=int(value))
        if name in {"theme", "platform", "actor", "tag"}:
            # One subquery per value keeps several values of one facet from sharing a join.
            return Q(pk__in=CaseStudyPage.objects.filter(**{lookups[name]: value}).values("pk"))
        return Q(**{lookups[name]: value})

    def paginate(self, number):
        paginator = Paginator(
            self.results.for_cards().order_by("-first_published_at", "-pk"), PER_PAGE
        )
        try:
            return paginator.page(number)
        except EmptyPage as error:
            if number.isdigit() and int(number) > paginator.num_pages:
                # Filters narrowed the results under the page the visitor was on.
                raise PastLastPage(self.page_url(paginator.num_pages)) from error
            raise Http404(_("There is no such page of case studies.")) from error
        except PageNotAnInteger as error:
            raise Http404(_("There is no such page of case studies.")) from error

    # Facet counts

    def facet(self, name, legend, is_multiple):
        # Choosing one more value of a multiple facet narrows the current results; choosing a
        # value of a single facet replaces its current value, so it counts without it.
        base = self.results if is_multiple else self.filter(self.visible, skip=name)
        counts = getattr(self, f"count_{name}")(base.values("pk"))
        selected = set(self.selected[name])
        values = [
            FacetValue(value, label, count, value in selected)
            for value, label, count in counts
            if count or value in selected
        ]
        return Facet(name, legend, is_multiple, values, has_selection=bool(selected))

    def count_classification(self, pks):
        counts = self._group_counts(pks, "classification")
        return [(value, label, counts.get(value, 0)) for value, label in Classification.choices]

    def count_country(self, pks):
        counts = self._group_counts(pks, "country")
        chosen = set(self.selected["country"])
        return [
            (code, name, counts.get(code, 0))
            for code, name in COUNTRY_CHOICES
            if code in counts or code in chosen
        ]

    def count_year(self, pks):
        counts = self._group_counts(pks, "year")
        # A chosen year stays listed (and checked) when the other filters leave none of it.
        years = set(counts) | {int(v) for v in self.selected["year"] if v.isdigit() and len(v) <= 4}
        return [(str(year), str(year), counts.get(year, 0)) for year in sorted(years, reverse=True)]

    def count_theme(self, pks):
        return self._related_counts(Theme.objects.all(), pks, "slug", "name")

    def count_platform(self, pks):
        return self._related_counts(Platform.objects.all(), pks, "slug", "name")

    def count_actor(self, pks):
        actors = Actor.objects.annotate(n=Count("case_studies", filter=Q(case_studies__in=pks)))
        return [(actor.code, actor.get_code_display(), actor.n) for actor in actors]

    def count_tag(self, pks):
        tags = (
            Tag.objects.filter(knowledgebase_casestudytag_items__content_object__in=pks)
            .annotate(n=Count("knowledgebase_casestudytag_items"))
            .order_by("-n", "name")[:MAX_TAGS]
        )
        return [(tag.slug, tag.name, tag.n) for tag in tags]

    @staticmethod
    def _group_counts(pks, field_name):
        rows = (
            CaseStudyPage.objects.filter(pk__in=pks)
            .values(field_name)
            .annotate(n=Count("pk"))
            .order_by()
        )
        # Case studies without a country or a year are counted under no value.
        return {row[field_name]: row["n"] for row in rows if row[field_name] not in {None, ""}}

    @staticmethod
    def _related_counts(queryset, pks, value_field, label_field):
        rows = queryset.annotate(n=Count("case_studies", filter=Q(case_studies__in=pks)))
        return [(getattr(row, value_field), getattr(row, label_field), row.n) for row in rows]

    # Links that keep the filters

    @property
    def active_count(self):
        """Return how many filters are chosen (the text counts as one)."""
        return bool(self.query) + sum(len(values) for values in self.selected.values())

    @property
    def is_filtered(self):
        return bool(self.query or any(self.selected.values()))

    def params(self):
        pairs = [("q", self.query)] if self.query else []
        for name, values in self.selected.items():
            pairs.extend((name, value) for value in values)
        return pairs

    def querystring(self, pairs):
        return f"?{urlencode(pairs)}" if pairs else "?"

    def page_url(self, number):
        """Return the query string of page *number* with the current filters."""
        pairs = self.params()
        if number != 1:
            pairs.append(("page", number))
        return self.querystring(pairs)

    def labels(self):
        """Return the label of every chosen value (a name, never a slug), counted or not."""
        labels = {facet.name: {v.value: v.label for v in facet.values} for facet in self.facets}
        missing = {
            name: [value for value in values if value not in labels[name]]
            for name, values in self.selected.items()
        }
        known = {
            "classification": lambda values: dict(Classification.choices),
            "country": lambda values: dict(COUNTRY_CHOICES),
            "actor": lambda values: dict(ActorKind.choices),
            "theme": lambda values: dict(
                Theme.objects.filter(slug__in=values).values_list("slug", "name")
            ),
            "platform": lambda values: dict(
                Platform.objects.filter(slug__in=values).values_list("slug", "name")
            ),
            "tag": lambda values: dict(
                Tag.objects.filter(slug__in=values).values_list("slug", "name")
            ),
        }
        for name, values in missing.items():
            # PostgreSQL text cannot hold NUL: such a value names nothing, so it has no label.
            values = [value for value in values if "\x00" not in value]
            if values and name in known:
                labels[name] = {**known[name](values), **labels[name]}
        return labels

    def active_filters(self):
        """Return each chosen filter with a link that removes it and keeps the others."""
        labels = self.labels()
        legends = {facet.name: facet.legend for facet in self.facets}
        active = []
        if self.query:
            pairs = [pair for pair in self.params() if pair[0] != "q"]
            active.append(
                {"legend": _("Text"), "label": self.query, "url": self.querystring(pairs)}
            )
        for name, values in self.selected.items():
            for value in values:
                pairs = [pair for pair in self.params() if pair != (name, value)]
                active.append(
                    {
                        "legend": legends[name],
                        "label": labels[name].get(value, value),
                        "url": self.querystring(pairs),
                    }
                )
        return active

    def pagination(self):
        """Return the links of the page navigation, keeping the filters."""
        page = self.page_obj
        return {
            "previous": self.page_url(page.previous_page_number()) if page.has_previous() else "",
            "next": self.page_url(page.next_page_number()) if page.has_next() else "",
            "number": page.number,
            "count": page.paginator.num_pages,
        }


class CaseStudyIndexPage(ReviewedPageMixin, Page):
    """The case study library at /case-studies/, with facet filters that combine."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["knowledgebase.HomePage"]
    subpage_types = ["knowledgebase.CaseStudyPage"]
    max_count = 1

    class Meta:
        verbose_name = _("case study library")

    def serve(self, request, *args, **kwargs):
        try:
            return super().serve(request, *args, **kwargs)
        except PastLastPage as past:
            return redirect(f"{request.path}{past.url}".rstrip("?"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["library"] = Library(self, request)
        return context
