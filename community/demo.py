"""Demo content for ``manage.py seed_demo``: idempotent, clearly marked as demo."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import Profile, StakeholderType, User

DEMO_PASSWORD = "demo-portal-2026"
DEMO_DOMAIN = "demo.medi4sec.eu"


@dataclass(frozen=True)
class DemoMember:
    username: str
    display_name: str
    stakeholder_type: str
    organisation: str
    role: str
    label: str = ""
    group: str = ""
    is_verified: bool = False
    totp_secret: str = ""

    @property
    def email(self):
        return f"{self.username}@{DEMO_DOMAIN}"


DEMO_MEMBERS = [
    DemoMember(
        "mira",
        "Mira Jansen (demo)",
        StakeholderType.CITIZEN,
        "",
        "Neighbourhood watch volunteer",
        label="member",
    ),
    DemoMember(
        "jan",
        "Jan de Vries (demo)",
        StakeholderType.LAW_ENFORCEMENT,
        "Demo Regional Police",
        "Social media coordinator",
        label="verified practitioner",
        is_verified=True,
    ),
    DemoMember(
        "elena",
        "Elena Rossi (demo)",
        StakeholderType.RESEARCH,
        "Demo University",
        "Researcher, policing and social media",
        label="editor",
        group="Editors",
        totp_secret="DEMOEDITORTOTPKEYMEDIAFORSECAAAA",
    ),
    DemoMember(
        "tomas",
        "Tomas Novak (demo)",
        StakeholderType.CIVIL_SOCIETY,
        "Demo Online Safety NGO",
        "Community manager",
        label="moderator",
        group="Moderators",
        totp_secret="DEMOMODERATORTOTPKEYMEDIAFORSECA",
    ),
    # A second moderator: appeals against tomas's decisions have someone to decide them.
    DemoMember(
        "ines",
        "Ines Moreau (demo)",
        StakeholderType.LAW_ENFORCEMENT,
        "Demo Federal Police",
        "Online community officer",
        label="second moderator",
        group="Moderators",
        totp_secret="DEMOSECONDMODERATORTOTPKEYMEDIAS",
    ),
    DemoMember(
        "sofia",
        "Sofia Lindqvist (demo)",
        StakeholderType.PUBLIC_AUTHORITY,
        "Demo City Council",
        "Public safety policy officer",
    ),
    DemoMember(
        "luca",
        "Luca Bianchi (demo)",
        StakeholderType.SECURITY_ORGANISATION,
        "Demo Civil Protection Agency",
        "Crisis communication lead",
    ),
    DemoMember(
        "amira",
        "Amira Haddad (demo)",
        StakeholderType.BUSINESS,
        "Demo Trust & Safety Ltd",
        "Trust and safety analyst",
    ),
    DemoMember(
        "pieter",
        "Pieter Claes (demo)",
        StakeholderType.MEDIA,
        "Demo Broadcaster",
        "Security correspondent",
    ),
]


@transaction.atomic
def seed_members():
    """Create or refresh the demo members; return them with their accounts."""
    from .services.privacy import consent_record

    seeded = []
    for demo in DEMO_MEMBERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            # Established members: the new-account limits (community.limits) do not apply.
            defaults={
                "email": demo.email,
                "display_name": demo.display_name,
                "date_joined": timezone.now() - datetime.timedelta(days=90),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            # Demo members joined like anyone: they accepted the versions of the day.
            consent_record(user=user)
        EmailAddress.objects.update_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        verified_until = (
            timezone.localdate() + datetime.timedelta(days=365) if demo.is_verified else None
        )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "stakeholder_type": demo.stakeholder_type,
                "organisation": demo.organisation,
                "role": demo.role,
                "verified_until": verified_until,
            },
        )
        if demo.group:
            user.groups.add(Group.objects.get(name=demo.group))
        if (
            demo.totp_secret
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, demo.totp_secret)
        seeded.append((demo, user))
    return seeded


# Forums: written for the portal, marked as demo; every name and organisation is invented.
DEMO_GROUP = {
    "slug": "crisis-communication",
    "name": "Crisis communication working group (demo)",
    "description": "Practitioners who run public communication during emergencies and unrest.",
    "members": ["luca", "jan"],
}

DEMO_FORUMS = [
    # (slug, name, section, audience, description)
    (
        "introductions",
        "Introductions",
        "Welcome",
        "public",
        "New here? Say who you are, where you work and what you hope to learn.",
    ),
    (
        "engagement-communication",
        "Engagement & communication",
        "The good",
        "public",
        "Community policing online, tone of voice, answering the public, prevention campaigns.",
    ),
    (
        "investigations-osint",
        "Investigations & OSINT",
        "The bad",
        "members",
        "Open-source intelligence, digital evidence and crime that social media makes easier.",
    ),
    (
        "crisis-riots-mass-gatherings",
        "Crisis, riots & mass gatherings",
        "The ugly",
        "public",
        "Rumour control, live-sharing of police operations, communication during unrest.",
    ),
    (
        "trolling-threats-hate",
        "Trolling, threats & online hate",
        "The ugly",
        "members",
        "Harassment of officers and officials, threats, hate campaigns and how to respond.",
    ),
    (
        "verified-practitioners",
        "Verified practitioners' room",
        "Closed rooms",
        "verified",
        "Operational experience that is not for a public audience. Verified practitioners only.",
    ),
    (
        "crisis-communication-group",
        "Crisis communication working group",
        "Closed rooms",
        "group",
        "Drafts, exercises and lessons learned of the crisis communication working group.",
    ),
]

# (forum slug, title, tags, [(author, markdown), ...], [(post index, members who found it helpful)])
DEMO_THREADS = [
    (
        "introductions",
        "Hello from a neighbourhood watch in Utrecht (demo)",
        ["introductions", "neighbourhood-watch"],
        [
            (
                "mira",
                "Hi all! I coordinate a neighbourhood WhatsApp group of about 200 households. "
                "We work with our community officer, and I am here to learn how to keep the group "
                "useful without it turning into a rumour mill.\n\n*(Demo post.)*",
            ),
            (
                "jan",
                "Welcome @mira! We have a short guide for neighbourhood groups: **report to 112 "
                "first, post second**, never share pictures of suspects. Happy to share it.",
            ),
        ],
        [(1, ["mira"])],
    ),
    (
        "engagement-communication",
        "How do you answer 'why was there a helicopter over my street?' (demo)",
        ["community-policing", "transparency"],
        [
            (
                "jan",
                "Every night we get dozens of these questions on our regional account. Our rule "
                "of thumb:\n\n1. answer within an hour when an operation allows it;\n2. never "
                "confirm a suspect's identity;\n3. say *when* we will say more.\n\nWhat do you "
                "do? *(Demo post.)*",
            ),
            (
                "sofia",
                "The city shares one template with the police so the answer is the same on every "
                "channel:\n\n| question | first answer |\n|---|---|\n| helicopter | a search "
                "operation, no danger to residents |\n| road closed | incident, detour via … |\n\n"
                "It saves the duty officer a lot of typing.",
            ),
            (
                "pieter",
                "From the media side: a quick 'we are aware, more at 22:00' keeps speculation "
                "down far better than silence. @jan, do you publish the follow-up as well?",
            ),
            ("jan", "@pieter Yes, always in the same thread, so people find it."),
        ],
        [(1, ["pieter", "sofia"]), (2, ["jan"])],
    ),
    (
        "investigations-osint",
        "Preserving social media evidence before accounts are deleted (demo)",
        ["osint", "digital-evidence"],
        [
            (
                "jan",
                "After the last incidents, several accounts that posted calls for violence were "
                "gone within hours. What is your checklist for capturing posts in a way that "
                "holds up in court? *(Demo post.)*",
            ),
            (
                "amira",
                "From the platform side: send the preservation request **first**, then capture. "
                "Record URL, timestamp (UTC), account ID (not only the handle) and a hash of each "
                "file.",
            ),
        ],
        [(1, ["jan"])],
    ),
    (
        "crisis-riots-mass-gatherings",
        "Live-sharing of police positions during a demonstration (demo)",
        ["live-sharing", "public-order", "riots"],
        [
            (
                "luca",
                "During the last football riots, people live-streamed the position of our units "
                "and some streams were used to coordinate attacks. We do **not** want to ask for "
                "streams to stop in general. Has anyone found a proportionate approach? "
                "*(Demo post.)*",
            ),
            (
                "tomas",
                "Transparency helps: one force published its own map of closed streets, which "
                "made the 'spotter' accounts much less interesting to follow.",
            ),
            (
                "jan",
                "We ask publicly, once, not to share live positions *of tactical units*, and we "
                "explain why. ~~Blocking accounts~~ is not an option for us.",
            ),
        ],
        [(1, ["luca", "jan"])],
    ),
    (
        "crisis-riots-mass-gatherings",
        "Rumour control after a stabbing at a festival: what worked (demo)",
        ["rumours", "mass-gatherings"],
        [
            (
                "sofia",
                "A false rumour about a second attacker spread within 15 minutes. What helped "
                "us: one joint account (police, city, organiser) posting every 20 minutes, even "
                "when there was nothing new. *(Demo post.)*",
            ),
        ],
        [],
    ),
    (
        "trolling-threats-hate",
        "Officers doxxed after a viral arrest video (demo)",
        ["doxxing", "officer-welfare"],
        [
            (
                "tomas",
                "An arrest video went viral and within a day the officers' home addresses were "
                "posted. How do your organisations support officers in this situation? "
                "*(Demo post.)*",
            ),
            (
                "amira",
                "Report each post under the platform's *private information* policy, not "
                "harassment; it is removed much faster. We publish the policy links at "
                "https://example.org/demo-reporting-guide",
            ),
        ],
        [(1, ["tomas"])],
    ),
    (
        "verified-practitioners",
        "Debrief template for online components of public-order operations (demo)",
        ["debrief", "public-order"],
        [
            (
                "jan",
                "Sharing the debrief template we use after every public-order operation with a "
                "social media component. Feedback from other forces welcome. *(Demo post.)*",
            ),
        ],
        [],
    ),
    (
        "crisis-communication-group",
        "Exercise planning: flood scenario in spring (demo)",
        ["exercise", "floods"],
        [
            (
                "luca",
                "Proposal for our spring exercise: a river flood with a fake evacuation order "
                "spreading on messaging apps. @jan, could your team play the police account? "
                "*(Demo post.)*",
            ),
            ("jan", "@luca Count us in. We can also inject two false rumours."),
        ],
        [(1, ["luca"])],
    ),
]


@transaction.atomic
def seed_forums():
    """Create the demo working group, forums, threads, replies, reactions and mentions once."""
    from . import services
    from .models import Audience, Forum, Thread, WorkingGroup, WorkingGroupMembership

    members = {user.username: user for user in User.objects.filter(username__in=_usernames())}
    group, _created = WorkingGroup.objects.get_or_create(
        slug=DEMO_GROUP["slug"],
        defaults={"name": DEMO_GROUP["name"], "description": DEMO_GROUP["description"]},
    )
    for username in DEMO_GROUP["members"]:
        WorkingGroupMembership.objects.update_or_create(
            group=group,
            user=members[username],
            defaults={"status": WorkingGroupMembership.Status.MEMBER},
        )
    forums = {}
    for position, (slug, name, section, audience, description) in enumerate(DEMO_FORUMS):
        forums[slug], _created = Forum.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "section": section,
                "audience": audience,
                "group": group if audience == Audience.GROUP else None,
                "description": description,
                "position": position * 10,
            },
        )
    for forum_slug, title, tags, posts, reactions in DEMO_THREADS:
        forum = forums[forum_slug]
        if Thread.objects.filter(forum=forum, title=title).exists():
            continue
        (author, body), *replies = posts
        thread = services.thread_create(
            author=members[author], forum=forum, title=title, body=body, tags=tags
        )
        created = [thread.last_post]
        for author, body in replies:
            created.append(services.post_create(author=members[author], thread=thread, body=body))
        for index, usernames in reactions:
            for username in usernames:
                services.reaction_toggle(user=members[username], post=created[index])


def _usernames():
    return [demo.username for demo in DEMO_MEMBERS]


# People: profiles, visibility choices, verification states and the working group of the demo.
# (username, country, languages, expertise, bio, visibility of the profile, of the other fields)
DEMO_PROFILES = [
    (
        "mira",
        "NL",
        ["nl", "en"],
        ["neighbourhood watch", "community safety"],
        "I coordinate a neighbourhood messaging group in Utrecht. *(Demo profile.)*",
        "public",
        "public",
    ),
    (
        "jan",
        "NL",
        ["nl", "en", "de"],
        ["community policing", "crisis communication", "osint"],
        "Social media coordinator of a regional police force: **answer fast, say when you will "
        "say more**. *(Demo profile.)*",
        "public",
        "members",
    ),
    (
        "elena",
        "IT",
        ["it", "en"],
        ["research", "policing and social media"],
        "Researcher in policing and social media. *(Demo profile.)*",
        "members",
        "members",
    ),
    (
        "tomas",
        "CZ",
        ["cs", "en"],
        ["online hate", "moderation"],
        "Community manager at an online safety NGO. *(Demo profile.)*",
        "members",
        "members",
    ),
    (
        "sofia",
        "SE",
        ["sv", "en"],
        ["public safety policy", "rumour control"],
        "Public safety policy officer at a city council. *(Demo profile.)*",
        "members",
        "members",
    ),
    (
        "luca",
        "IT",
        ["it", "en", "fr"],
        ["crisis communication", "civil protection"],
        "Crisis communication lead for civil protection. *(Demo profile.)*",
        "members",
        "verified",
    ),
    (
        "amira",
        "BE",
        ["fr", "nl", "en", "ar"],
        ["trust and safety", "digital evidence"],
        "Trust and safety analyst at a platform. *(Demo profile.)*",
        "members",
        "members",
    ),
    (
        "pieter",
        "BE",
        ["nl", "fr", "en"],
        ["media", "public order"],
        "Security correspondent. *(Demo profile.)*",
        "members",
        "members",
    ),
]
DEMO_ALLOWED_DOMAIN = "police.example.eu"


@transaction.atomic
def seed_people():
    """Fill in the demo profiles, one pending and one expired verification, and the group."""
    from . import markdown
    from .models import (
        PROFILE_VISIBILITY_FIELDS,
        VerificationDecision,
        VerificationDomain,
        VerificationRequest,
        WorkingGroup,
        WorkingGroupMembership,
    )

    members = {user.username: user for user in User.objects.filter(username__in=_usernames())}
    today = timezone.localdate()
    for username, country, languages, expertise, bio, profile_level, field_level in DEMO_PROFILES:
        profile = Profile.objects.get(user=members[username])
        profile.country, profile.languages = country, languages
        profile.bio_markdown, profile.bio_html = bio, markdown.render(bio).html
        profile.links = [f"https://example.org/demo/{username}"]
        profile.visibility = dict.fromkeys(PROFILE_VISIBILITY_FIELDS, field_level) | {
            "profile": profile_level,
            "links": "members",
        }
        profile.save()
        profile.expertise.set(expertise)
    VerificationDomain.objects.get_or_create(
        domain=DEMO_ALLOWED_DOMAIN,
        defaults={"organisation": "Demo Police Service", "note": "Demo allow-listed domain."},
    )
    sofia = members["sofia"]
    if not VerificationRequest.objects.filter(user=sofia).exists():
        VerificationRequest.objects.create(
            user=sofia,
            organisation="Demo City Council",
            role="Public safety policy officer",
            official_email="sofia.lindqvist@council.example.se",
            note="I coordinate the city's public-safety communication with the police. (Demo.)",
            referee=members["jan"],
            status=VerificationRequest.Status.PENDING,
            email_confirmed_at=timezone.now(),
        )
    pieter = members["pieter"]
    expired_on = today - datetime.timedelta(days=12)
    Profile.objects.filter(user=pieter).update(verified_until=expired_on)
    if not VerificationDecision.objects.filter(user=pieter).exists():
        VerificationDecision.objects.create(
            user=pieter,
            action=VerificationDecision.Action.APPROVED,
            reason="Demo: verified a year ago, not renewed.",
            verified_until=expired_on,
            created_at=timezone.now() - datetime.timedelta(days=377),
        )
    group, _created = WorkingGroup.objects.get_or_create(
        slug=DEMO_GROUP["slug"],
        defaults={"name": DEMO_GROUP["name"], "description": DEMO_GROUP["description"]},
    )
    WorkingGroupMembership.objects.get_or_create(group=group, user=members["amira"])
    # The moderator also works the verification queue (and has two-factor already).
    members["tomas"].groups.add(Group.objects.get(name="Verifiers"))
