"""The event listing at /events/: upcoming or past, filtered by kind, theme, country, place
and language; only what the viewer may see."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from knowledgebase.countries import COUNTRY_CHOICES
from knowledgebase.models import Theme

from .models import EVENT_LANGUAGES, EventKind, EventPage

PER_PAGE = 20


class Listing:
    def __init__(self, index, request):
        self.request = request
        params = request.GET
        self.when = "past" if params.get("when") == "past" else "upcoming"
        self.kind = params.get("kind") if params.get("kind") in EventKind.values else ""
        # Only a theme that exists: a NUL byte or any other odd value must not reach the query.
        theme = params.get("theme", "")
        self.theme = theme if theme in {t.slug for t in self.themes} else ""
        self.country = (
            params.get("country") if params.get("country") in dict(COUNTRY_CHOICES) else ""
        )
        self.place = params.get("place") if params.get("place") in {"online", "in_person"} else ""
        self.language = (
            params.get("language") if params.get("language") in dict(EVENT_LANGUAGES) else ""
        )
        self.kinds = EventKind.choices
        self.languages = EVENT_LANGUAGES
        self.countries = COUNTRY_CHOICES
        self.index = index

    @property
    def query(self) -> str:
        """Return the filters as a query string, for the links to other pages."""
        params = {
            "when": self.when,
            "kind": self.kind,
            "theme": self.theme,
            "country": self.country,
            "place": self.place,
            "language": self.language,
        }
        return urlencode({name: value for name, value in params.items() if value})

    @cached_property
    def themes(self):
        return list(Theme.objects.order_by("name"))

    def events(self):
        events = EventPage.objects.visible_to(self.request.user).child_of(self.index)
        events = events.past() if self.when == "past" else events.upcoming()
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.theme:
            events = events.filter(themes__slug=self.theme)
        if self.country:
            events = events.filter(country=self.country)
        if self.place:
            events = events.filter(is_online=self.place == "online")
        if self.language:
            events = events.speaking(self.language)
        return events.for_cards()

    @cached_property
    def page(self):
        paginator = Paginator(self.events(), PER_PAGE)
        return paginator.get_page(self.request.GET.get("page"))
