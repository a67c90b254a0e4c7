"""Demo events for ``seed_demo``: two past ones with materials, two upcoming ones (one open to
members, one verified-only workshop with applications), so a newcomer sees the whole cycle."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from wagtail.models import Page

from community.models import User
from knowledgebase.models import Theme

from .models import Application, EventIndexPage, EventPage, EventRecording


@dataclass
class DemoEvent:
    slug: str
    title: str
    kind: str
    summary: str
    days: int  # from today; negative: in the past
    audience: str = "members"
    registration_mode: str = "applications"
    is_online: bool = False
    city: str = ""
    country: str = ""
    venue: str = ""
    languages: str = "en"
    themes: list[str] = field(default_factory=list)
    report: str = ""
    recordings: list[tuple[str, str]] = field(default_factory=list)
    capacity: int = 30
    participants: list[str] = field(default_factory=list)


DEMO_EVENTS = [
    DemoEvent(
        "the-good-the-bad-and-the-ugly-workshop-2026",
        "The good, the bad and the ugly: a practitioner workshop",
        "workshop",
        "Police, authorities, researchers and citizens compare what worked and what backfired "
        "when they used social media during large gatherings.",
        days=-60,
        audience="public",
        city="Brussels",
        country="BE",
        venue="Résidence Palace",
        themes=["riots-and-mass-gatherings", "trolling"],
        report="Forty participants from twelve countries. The main lesson: a named, human "
        "account answers rumours faster than a press office.",
        participants=["mira", "jan"],
    ),
    DemoEvent(
        "webinar-trolling-and-threats",
        "Webinar: trolling and threats against officers",
        "webinar",
        "How forces support staff who are trolled or threatened online, with three short cases.",
        days=-20,
        is_online=True,
        languages="en fr",
        themes=["trolling"],
        report="Slides and the recording are below; the discussion goes on in the forum.",
        recordings=[("Recording (video platform)", "https://example.org/recordings/trolling")],
        participants=["mira"],
    ),
    DemoEvent(
        "webinar-live-sharing-of-operations",
        "Webinar: live-sharing of tactical operations",
        "webinar",
        "What to ask the public before, during and after an operation that bystanders film.",
        days=21,
        registration_mode="open",
        is_online=True,
        themes=["everyday-security"],
        capacity=100,
    ),
    DemoEvent(
        "exercise-crisis-communication-verified",
        "Crisis communication exercise (verified practitioners)",
        "exercise",
        "A table-top exercise: a false rumour spreads during a mass gathering. Places are few; "
        "the organiser balances the mix of stakeholder types.",
        days=45,
        audience="verified",
        city="Lisbon",
        country="PT",
        venue="Polícia Judiciária training centre",
        languages="en pt",
        themes=["riots-and-mass-gatherings"],
        capacity=12,
    ),
]


def seed_events(*, editor=None) -> EventIndexPage | None:
    """Create the demo events that are missing, published by *editor*; return the listing."""
    index = EventIndexPage.objects.first()
    if index is None:
        return None
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for demo in DEMO_EVENTS:
        if Page.objects.child_of(index).filter(slug=demo.slug).exists():
            continue
        start = now + datetime.timedelta(days=demo.days, hours=9 - now.hour)
        page = EventPage(
            title=demo.title,
            slug=demo.slug,
            kind=demo.kind,
            summary=demo.summary,
            start_at=start,
            end_at=start + datetime.timedelta(hours=7 if not demo.is_online else 2),
            application_deadline=start - datetime.timedelta(days=7),
            is_online=demo.is_online,
            venue=demo.venue,
            city=demo.city,
            country=demo.country,
            languages=demo.languages,
            audience=demo.audience,
            registration_mode=demo.registration_mode,
            capacity=demo.capacity,
            organiser_name="MEDI@4SEC events team",
            organiser_email="events@medi4sec.example.eu",
            report=demo.report,
            programme=[
                ("session", {"start": "09:00", "end": "09:30", "title": "Welcome", "speakers": ""}),
                (
                    "session",
                    {
                        "start": "09:30",
                        "end": "11:00",
                        "title": "Cases",
                        "speakers": "Elena, Tomas",
                    },
                ),
            ],
            owner=editor,
        )
        page.themes = list(Theme.objects.filter(slug__in=demo.themes))
        page.tags.add("demo")
        for order, (title, url) in enumerate(demo.recordings):
            page.recordings.add(EventRecording(sort_order=order, title=title, url=url))
        index.add_child(instance=page)
        page.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
        for username in demo.participants:
            member = User.objects.filter(username=username).first()
            if member:
                Application.objects.get_or_create(
                    event=page,
                    member=member,
                    defaults={"stakeholder_type": "citizen", "status": "accepted"},
                )
    return index
