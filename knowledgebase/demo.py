"""Demo case studies for ``manage.py seed_demo``: idempotent, every one marked as a demo.

The scenarios are invented for the portal (composites of situations practitioners describe), not
reports of real events; the sources point at well-known public guidance, not at the events.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from community.models import Audience
from community.services import tags_resolve

from .facets import PLATFORMS, THEMES
from .models import (
    Actor,
    ActorKind,
    CaseStudyIndexPage,
    CaseStudyPage,
    Classification,
    HomePage,
    Platform,
    RelatedCaseStudy,
    Source,
    Theme,
)

DEMO_NOTE = "Demo case study: an invented scenario for trying out the portal."
CARD_COLOURS = {
    Classification.GOOD: ("#1d6b3a", "#ffffff"),
    Classification.BAD: ("#7a3a00", "#ffffff"),
    Classification.UGLY: ("#a3182b", "#ffffff"),
}


@dataclass(frozen=True)
class DemoSource:
    title: str
    publisher: str
    url: str
    archived_url: str = ""
    published_on: datetime.date | None = None


@dataclass(frozen=True)
class DemoCaseStudy:
    slug: str
    title: str
    classification: str
    themes: list[str]
    actors: list[str]
    platforms: list[str]
    country: str
    year: int
    tags: list[str]
    summary: str
    story: str
    went_well: str
    went_wrong: str
    lessons: str
    quote: tuple[str, str] | None = None
    video: tuple[str, str] | None = None
    audience: str = Audience.PUBLIC
    related: list[str] = field(default_factory=list)
    review_due_in_days: int = 300
    sources: list[DemoSource] = field(default_factory=list)


EUROPOL_IOCTA = DemoSource(
    "Internet Organised Crime Threat Assessment (IOCTA)",
    "Europol",
    "https://www.europol.europa.eu/publications-events/main-reports/iocta-report",
)
MEDI4SEC = DemoSource(
    "MEDI@4SEC: the emerging role of new social media in enhancing public security",
    "European Commission, CORDIS",
    "https://cordis.europa.eu/project/id/700281",
)
COLLEGE_OF_POLICING = DemoSource(
    "Engagement and communication: social media guidance",
    "College of Policing (UK)",
    "https://www.college.police.uk/",
)
ENISA = DemoSource(
    "Threat Landscape reports",
    "ENISA, the EU Agency for Cybersecurity",
    "https://www.enisa.europa.eu/topics/cyber-threats/threat-landscape",
)
EDPB = DemoSource(
    "Guidelines on the processing of personal data",
    "European Data Protection Board",
    "https://www.edpb.europa.eu/our-work-tools/general-guidance/guidelines-recommendations-best-practices_en",
)


DEMO_CASE_STUDIES = [
    DemoCaseStudy(
        slug="missing-teenager-found-through-shared-appeal",
        title="A missing teenager found within hours of a shared appeal (demo)",
        classification=Classification.GOOD,
        themes=["everyday-security"],
        actors=["law-enforcement", "citizens"],
        platforms=["facebook", "x", "whatsapp"],
        country="NL",
        year=2023,
        tags=["missing persons", "appeals", "community engagement"],
        summary=(
            "A regional police team posted a missing-person appeal with a clear photo and a "
            "single contact line; neighbours shared it widely and a bus driver called in "
            "within three hours."
        ),
        story=(
            "A 15-year-old left home after an argument and did not answer her phone. After a "
            "risk assessment, the duty officer and the social media coordinator agreed on one "
            "appeal: photo, clothing, last known location and the emergency number, nothing "
            "about the family situation."
        ),
        went_well=(
            "One message, one number, posted on every channel at once. Local community pages "
            "shared the original rather than copying it, so the later update reached everyone."
        ),
        went_wrong=(
            "Some shares added speculation about the reasons she left. The team had to ask "
            "administrators of two groups to remove comments."
        ),
        lessons=(
            "Post a clear 'found, thank you' update and ask people to delete their shares: "
            "the appeal should not follow the teenager for years."
        ),
        quote=(
            "The update matters as much as the appeal. Ask people to take the photo down.",
            "Social media coordinator, demo regional police",
        ),
        sources=[COLLEGE_OF_POLICING, MEDI4SEC],
    ),
    DemoCaseStudy(
        slug="neighbourhood-chat-groups-burglary-prevention",
        title="Neighbourhood chat groups cut repeat burglaries (demo)",
        classification=Classification.GOOD,
        themes=["everyday-security", "diy-policing"],
        actors=["citizens", "law-enforcement"],
        platforms=["whatsapp", "nextdoor"],
        country="BE",
        year=2022,
        tags=["burglary", "neighbourhood watch", "prevention"],
        summary=(
            "Residents' chat groups agreed a simple code (SALV: signal, alert, look, report) with "
            "their community officer; reports became more useful and vigilantism was avoided."
        ),
        story=(
            "After a series of burglaries, residents set up neighbourhood chat groups. The "
            "community officer joined as a guest and proposed rules: describe behaviour, not "
            "people; call the police first; never follow or confront anyone."
        ),
        went_well=(
            "Calls to the police came earlier and with better descriptions of vehicles and "
            "times. Repeat burglaries in the area fell over the following year."
        ),
        went_wrong=(
            "In one group, members posted photos of 'suspicious' young people who turned out "
            "to be visitors. The officer had to step in and remind the group of its rules."
        ),
        lessons=(
            "Agree rules before the first incident, name a moderator in every group and keep "
            "the police the place where suspicions go."
        ),
        related=["missing-teenager-found-through-shared-appeal"],
        sources=[MEDI4SEC],
    ),
    DemoCaseStudy(
        slug="live-qa-during-city-festival",
        title="Live questions and answers keep a city festival calm (demo)",
        classification=Classification.GOOD,
        themes=["riots-and-mass-gatherings"],
        actors=["law-enforcement", "citizens", "media"],
        platforms=["x", "instagram", "tiktok"],
        country="DE",
        year=2024,
        tags=["crowd communication", "events", "rumour control"],
        summary=(
            "Police and the city ran a shared account during a three-day festival, answering "
            "questions about closed streets and lost children and correcting a rumour of a "
            "stabbing within minutes."
        ),
        story=(
            "For a festival with half a million visitors, the police, the fire service and "
            "the city agreed on one joint account with a rota of trained staff, pre-approved "
            "messages and a direct line to the command room."
        ),
        went_well=(
            "A false rumour of a stabbing near the main stage was answered with a short video "
            "from the scene eleven minutes after it first appeared; the crowd did not surge."
        ),
        went_wrong=(
            "Questions in languages other than German and English went unanswered on the first day."
        ),
        lessons=(
            "Plan for the languages of the visitors, not of the city, and rehearse rumour "
            "control with the command room before the event."
        ),
        video=(
            "https://www.youtube.com/results?search_query=police+crowd+communication",
            "Crowd communication in practice",
        ),
        sources=[COLLEGE_OF_POLICING],
    ),
    DemoCaseStudy(
        slug="marketplace-takes-down-fake-ticket-sellers",
        title="A marketplace and police take down fake ticket sellers together (demo)",
        classification=Classification.GOOD,
        themes=["innovative-market-solutions", "everyday-security"],
        actors=["businesses", "law-enforcement", "criminals"],
        platforms=["facebook", "instagram"],
        country="IE",
        year=2023,
        tags=["fraud", "public-private partnership", "tickets"],
        summary=(
            "An online marketplace shared patterns of fraudulent ticket listings with the "
            "police under an agreed data-sharing framework; accounts were removed before the "
            "big concerts and victims were warned."
        ),
        story=(
            "Ahead of a stadium tour, the marketplace's trust and safety team saw the same "
            "photos reused across hundreds of new accounts. A memorandum with the national "
            "fraud unit set out what could be shared and on what legal basis."
        ),
        went_well=(
            "Listings came down within hours; buyers who had been in contact with the accounts "
            "received a warning in the app."
        ),
        went_wrong=(
            "Sellers moved to private messaging services where neither partner could see them."
        ),
        lessons=(
            "Write the data-sharing agreement before you need it, and plan the warning to "
            "victims as part of the takedown."
        ),
        audience=Audience.MEMBERS,
        related=["neighbourhood-chat-groups-burglary-prevention"],
        sources=[EUROPOL_IOCTA, EDPB],
    ),
    DemoCaseStudy(
        slug="drug-sales-through-disappearing-stories",
        title="Drug sales advertised through disappearing stories (demo)",
        classification=Classification.BAD,
        themes=["everyday-security", "dark-web"],
        actors=["criminals", "citizens"],
        platforms=["snapchat", "instagram", "telegram"],
        country="FR",
        year=2023,
        tags=["drugs", "young people", "ephemeral content"],
        summary=(
            "Dealers advertised to teenagers with stories that vanish after 24 hours and moved "
            "buyers to encrypted channels; schools and police struggled to see the market."
        ),
        story=(
            "Parents reported that their children received 'menus' with emoji codes. By the "
            "time officers saw a report, the story had gone."
        ),
        went_well=(
            "A prevention campaign built with pupils explained the emoji codes to parents and "
            "teachers without advertising the dealers."
        ),
        went_wrong=(
            "Evidence disappeared before it could be preserved, and platform requests took weeks."
        ),
        lessons=(
            "Teach first responders how to preserve ephemeral content lawfully, and agree fast "
            "channels with platforms in advance."
        ),
        sources=[EUROPOL_IOCTA],
    ),
    DemoCaseStudy(
        slug="dark-web-vendor-shop-reopens",
        title="A dark-web vendor reopens after a market takedown (demo)",
        classification=Classification.BAD,
        themes=["dark-web"],
        actors=["criminals", "law-enforcement"],
        platforms=["telegram"],
        country="XX",
        year=2024,
        tags=["dark web", "displacement", "cryptocurrency"],
        summary=(
            "After a hidden-service market was taken down, its biggest vendors announced their "
            "new shops on Telegram within days, taking their reputation scores with them."
        ),
        story=(
            "The takedown was a success on the day. Monitoring afterwards showed vendors "
            "rebuilding trust through screenshots of their old ratings and escrow offers."
        ),
        went_well=(
            "Analysts who had mapped vendor identities before the takedown could follow them "
            "to the new channels."
        ),
        went_wrong=(
            "Communication about the takedown focused on the market, not on buyers, who were "
            "left thinking nothing had changed."
        ),
        lessons=(
            "Plan for displacement: follow the vendors, and tell buyers what the takedown "
            "means for them."
        ),
        audience=Audience.VERIFIED,
        related=["drug-sales-through-disappearing-stories"],
        sources=[EUROPOL_IOCTA, ENISA],
    ),
    DemoCaseStudy(
        slug="recruitment-videos-on-short-video-platforms",
        title="Extremist recruitment clips spread through short-video feeds (demo)",
        classification=Classification.BAD,
        themes=["riots-and-mass-gatherings", "trolling"],
        actors=["criminals", "businesses", "media"],
        platforms=["tiktok", "youtube", "telegram"],
        country="AT",
        year=2024,
        tags=["extremism", "recommendation algorithms", "referrals"],
        summary=(
            "Short clips mixing music, humour and extremist slogans reached teenagers through "
            "recommendation feeds; referrals by an internet referral unit were slower than the "
            "reposts."
        ),
        story=(
            "Teachers noticed pupils repeating slogans from clips that looked harmless at first "
            "sight. The original accounts were removed, but copies kept returning."
        ),
        went_well=(
            "A partnership between the referral unit and the platform's trust and safety team "
            "introduced hash matching for the most shared clips."
        ),
        went_wrong="Counter-messaging was produced too late and looked like official advertising.",
        lessons=(
            "Work with young creators on counter-messages, and measure how fast copies return, "
            "not only how many are removed."
        ),
        sources=[EUROPOL_IOCTA],
    ),
    DemoCaseStudy(
        slug="phishing-wave-using-fake-police-accounts",
        title="A phishing wave using fake police accounts (demo)",
        classification=Classification.BAD,
        themes=["everyday-security", "innovative-market-solutions"],
        actors=["criminals", "citizens", "law-enforcement", "businesses"],
        platforms=["facebook", "x"],
        country="PL",
        year=2022,
        tags=["fraud", "impersonation", "verification"],
        summary=(
            "Criminals cloned a police force's profile and sent messages asking people to "
            "'confirm their identity' after a fake fine; the platform's verification badge "
            "helped people tell the accounts apart."
        ),
        story=(
            "Within a weekend, dozens of people reported messages from what looked like the "
            "official account. The force posted a warning, which the fake accounts copied."
        ),
        went_well="The platform verified the real account and removed the clones within a day.",
        went_wrong="The force had never told the public how it does and does not contact them.",
        lessons=(
            "Publish, once and permanently, how the police will never contact you, and pin it."
        ),
        related=["marketplace-takes-down-fake-ticket-sellers"],
        sources=[ENISA],
    ),
    DemoCaseStudy(
        slug="armed-operation-live-streamed-by-bystanders",
        title="An armed operation live-streamed by bystanders (demo)",
        classification=Classification.UGLY,
        themes=["riots-and-mass-gatherings", "diy-policing"],
        actors=["citizens", "law-enforcement", "media"],
        platforms=["tiktok", "instagram", "x"],
        country="SE",
        year=2023,
        tags=["live-sharing", "tactical operations", "officer safety"],
        summary=(
            "Bystanders live-streamed the positions of armed officers during an operation; the "
            "suspect could follow the streams. The police asked the public to stop sharing and "
            "why."
        ),
        story=(
            "Officers surrounded a flat where an armed man had barricaded himself. Within "
            "minutes, three live streams showed the officers' positions from the street."
        ),
        went_well=(
            "A short, polite request to stop live-sharing, with the reason, was reposted by "
            "local media and most streams ended."
        ),
        went_wrong="The command room had no one watching social media for the first half hour.",
        lessons=(
            "Put social media monitoring into the tactical plan, with a ready-made message "
            "asking people not to share officers' positions."
        ),
        quote=(
            "We did not ask people to stop filming. We asked them to stop broadcasting where "
            "our officers were.",
            "Duty inspector, demo police region",
        ),
        sources=[COLLEGE_OF_POLICING, MEDI4SEC],
    ),
    DemoCaseStudy(
        slug="officer-doxxed-after-viral-arrest-video",
        title="An officer doxxed after a viral arrest video (demo)",
        classification=Classification.UGLY,
        themes=["trolling", "diy-policing"],
        actors=["citizens", "law-enforcement", "media"],
        platforms=["x", "facebook", "telegram"],
        country="FR",
        year=2024,
        tags=["doxxing", "harassment", "officer welfare"],
        summary=(
            "A cut-down video of an arrest went viral; within a day an officer's name, home "
            "town and family photos were posted, followed by threats."
        ),
        story=(
            "The full body-worn camera footage told a different story from the clip, but the "
            "force could not publish it while the case was open."
        ),
        went_well=(
            "The welfare team moved the officer's family for a week and helped remove personal "
            "data from people-search sites."
        ),
        went_wrong="Staff had never been advised to lock down their own social media accounts.",
        lessons=(
            "Offer every officer a privacy check of their own accounts before they need it, "
            "and agree with prosecutors what can be said during open cases."
        ),
        audience=Audience.MEMBERS,
        related=["armed-operation-live-streamed-by-bystanders"],
        sources=[EDPB],
    ),
    DemoCaseStudy(
        slug="online-manhunt-names-the-wrong-man",
        title="An online manhunt names the wrong man (demo)",
        classification=Classification.UGLY,
        themes=["diy-policing", "trolling"],
        actors=["citizens", "media", "law-enforcement"],
        platforms=["reddit", "x", "facebook"],
        country="GB",
        year=2022,
        tags=["vigilantism", "misidentification", "rumour control"],
        summary=(
            "Amateur investigators compared CCTV stills with profile photos and named a man "
            "with no connection to the crime; he and his family were harassed for weeks."
        ),
        story=(
            "After an assault in a town centre, police released CCTV stills. Online groups "
            "'matched' them to a local man and posted his address."
        ),
        went_well="The police publicly stated that he was not a suspect within the same day.",
        went_wrong=(
            "The correction reached far fewer people than the accusation, and some media "
            "repeated the name."
        ),
        lessons=(
            "When releasing images, say clearly how to help and how not to; prepare a "
            "correction message for misidentification."
        ),
        sources=[COLLEGE_OF_POLICING],
    ),
    DemoCaseStudy(
        slug="troll-campaign-against-victim-support-service",
        title="A troll campaign against a victim support service (demo)",
        classification=Classification.UGLY,
        themes=["trolling"],
        actors=["citizens", "criminals", "businesses"],
        platforms=["x", "youtube", "discord"],
        country="ES",
        year=2023,
        tags=["trolling", "coordinated harassment", "victim support"],
        summary=(
            "A coordinated group flooded a victim support service's channels with abuse and "
            "fake requests for help; real victims could not get through for two days."
        ),
        story=(
            "The campaign was organised on a chat server, with shared scripts and a schedule. "
            "Volunteers answering the service's messages were targeted by name."
        ),
        went_well=(
            "A security researcher found the organising server, and the evidence helped the "
            "platforms remove the accounts together."
        ),
        went_wrong="The service had no fallback channel and no plan for its volunteers' safety.",
        lessons=(
            "Keep a fallback contact route for victims, and use first names only, or none, for "
            "volunteers who answer online."
        ),
        video=(
            "https://vimeo.com/search?q=coordinated+harassment",
            "How coordinated harassment works",
        ),
        related=["officer-doxxed-after-viral-arrest-video"],
        sources=[ENISA],
    ),
    DemoCaseStudy(
        slug="safety-app-for-night-time-economy",
        title="A safety app for the night-time economy (demo)",
        classification=Classification.GOOD,
        themes=["innovative-market-solutions", "everyday-security"],
        actors=["businesses", "citizens", "law-enforcement"],
        platforms=["instagram", "whatsapp"],
        country="PT",
        year=2024,
        tags=["night-time economy", "safety apps", "public-private partnership"],
        summary=(
            "Bars, taxi firms and the municipal police shared a simple app and a chat channel "
            "for the night-time economy; incidents were reported sooner and help arrived "
            "faster."
        ),
        story=(
            "A start-up offered bar staff a panic button linked to a shared channel with door "
            "staff, taxi dispatchers and a municipal police liaison."
        ),
        went_well="Staff used it to ask for help before situations escalated.",
        went_wrong=(
            "The first version collected more location data than needed; a data protection "
            "review cut it back."
        ),
        lessons="Run the data protection impact assessment before launch, not after.",
        review_due_in_days=-10,
        sources=[EDPB],
    ),
    DemoCaseStudy(
        slug="crowd-rumours-before-a-football-derby",
        title="Rumours before a football derby fuel clashes (demo)",
        classification=Classification.BAD,
        themes=["riots-and-mass-gatherings", "trolling"],
        actors=["citizens", "criminals", "media", "law-enforcement"],
        platforms=["telegram", "x", "tiktok"],
        country="IT",
        year=2022,
        tags=["football", "rumour control", "crowd communication"],
        summary=(
            "False reports of an attack on travelling supporters spread in fan channels hours "
            "before a derby; groups gathered to retaliate and clashed with police."
        ),
        story=(
            "A photo from an unrelated incident years earlier was shared as 'just now'. The "
            "police account did not respond until the clashes had started."
        ),
        went_well="After the match, fan liaison officers used the same channels to calm things.",
        went_wrong="No one in the police was watching the fan channels on match day.",
        lessons=(
            "Work with fan liaison officers who are trusted in the channels where rumours "
            "start, and answer early with evidence."
        ),
        review_due_in_days=-3,
        related=["live-qa-during-city-festival"],
        sources=[MEDI4SEC],
    ),
]


# Demo content of the apps built on the knowledge base, registered when they are ready: each is
# called with ``editor=`` after the case studies and discussions exist.
DEMO_SEEDERS = []


def demo_seeder_register(seeder) -> None:
    """Have ``seed_demo`` call *seeder* too (idempotent like the rest)."""
    if seeder not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(seeder)


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without scalable default font
        return ImageFont.load_default()


def generate_card_image(case_study):
    """Return a demo image: a coloured card with the classification and the title."""
    Image = get_image_model()
    title = f"Demo card: {case_study.slug}"
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    background, text = CARD_COLOURS[case_study.classification]
    card = PILImage.new("RGB", (1200, 630), background)
    draw = ImageDraw.Draw(card)
    draw.text((60, 60), f"THE {case_study.classification.upper()}", fill=text, font=_font(48))
    words, lines, line = case_study.title.split(), [], ""
    for word in words:
        if len(line) + len(word) > 34:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    for number, line in enumerate(lines[:5]):
        draw.text((60, 180 + number * 70), line, fill=text, font=_font(56))
    draw.text((60, 540), "MEDI@4SEC demo case study", fill=text, font=_font(32))
    buffer = io.BytesIO()
    card.save(buffer, format="PNG")
    return Image.objects.create(
        title=title,
        file=ImageFile(buffer, name=f"demo-{case_study.slug}.png"),
        collection=Collection.get_first_root_node(),
    )


def _body(demo, image):
    body = [
        ("paragraph", f"<p><b>{DEMO_NOTE}</b></p><p>{demo.story}</p>"),
        (
            "image",
            {
                "image": image,
                "alt_text": f"Title card: {demo.title}",
                "caption": "Illustration generated for the demo.",
            },
        ),
        ("went_well", {"text": f"<p>{demo.went_well}</p>"}),
        ("went_wrong", {"text": f"<p>{demo.went_wrong}</p>"}),
    ]
    if demo.quote:
        body.append(("quote", {"quote": demo.quote[0], "attribution": demo.quote[1]}))
    if demo.video:
        body.append(("video", {"url": demo.video[0], "title": demo.video[1], "duration": ""}))
    body.append(("lessons", {"text": f"<p>{demo.lessons}</p>"}))
    return body


def ensure_facets():
    """Create the themes, platforms and actors the design names, if missing."""
    for slug, name, description in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for slug, name in PLATFORMS:
        Platform.objects.get_or_create(slug=slug, defaults={"name": name})
    for code in ActorKind.values:
        Actor.objects.get_or_create(code=code)


def ensure_library():
    """Return the case study library page, creating it under the home page if missing."""
    index = CaseStudyIndexPage.objects.first()
    if index:
        return index
    home = HomePage.objects.order_by("path").first()
    index = CaseStudyIndexPage(title="Case studies", slug="case-studies")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def seed_case_studies(*, editor=None):
    """Create the demo case studies that are missing, published by *editor*; return the library."""
    ensure_facets()
    index = ensure_library()
    now = timezone.now()
    today = timezone.localdate()
    for age, demo in enumerate(reversed(DEMO_CASE_STUDIES)):
        if Page.objects.child_of(index).filter(slug=demo.slug).exists():
            continue
        page = CaseStudyPage(
            title=demo.title,
            slug=demo.slug,
            classification=demo.classification,
            summary=f"{demo.summary}",
            country=demo.country,
            year=demo.year,
            audience=demo.audience,
            body=_body(demo, generate_card_image(demo)),
            last_reviewed=today - datetime.timedelta(days=60),
            review_due=today + datetime.timedelta(days=demo.review_due_in_days),
            first_published_at=now - datetime.timedelta(days=3 * age + 1),
            owner=editor,
        )
        page.themes = list(Theme.objects.filter(slug__in=demo.themes))
        page.actors = list(Actor.objects.filter(code__in=demo.actors))
        page.platforms = list(Platform.objects.filter(slug__in=demo.platforms))
        page.tags.add(*tags_resolve(["demo", *demo.tags]))
        for order, source in enumerate(demo.sources):
            page.sources.add(
                Source(
                    sort_order=order,
                    title=source.title,
                    publisher=source.publisher,
                    url=source.url,
                    archived_url=source.archived_url,
                    published_on=source.published_on,
                )
            )
        for order, related in enumerate(
            CaseStudyPage.objects.child_of(index).filter(slug__in=demo.related)
        ):
            page.related_links.add(RelatedCaseStudy(sort_order=order, case_study=related))
        index.add_child(instance=page)
        # The demo skips the review workflow an editor would go through in the admin.
        page.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    _feature_one_of_each(index)
    return index


def _feature_one_of_each(index):
    home = HomePage.objects.ancestor_of(index).first()
    if not home or home.featured_good_id or home.featured_bad_id or home.featured_ugly_id:
        return
    public = CaseStudyPage.objects.child_of(index).public_only().order_by("path")
    home.featured_good = public.filter(classification=Classification.GOOD).first()
    home.featured_bad = public.filter(classification=Classification.BAD).first()
    home.featured_ugly = public.filter(classification=Classification.UGLY).first()
    home.save_revision().publish()


def seed_discussions(*, author):
    """Give every live demo case study its discussion thread, started by *author* (idempotent)."""
    from .services import case_study_discussion_ensure

    for page in CaseStudyPage.objects.live():
        case_study_discussion_ensure(page=page, author=author)
