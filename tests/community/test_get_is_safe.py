"""Audit: no URL of the portal changes anything on GET, whoever asks.

Every URL pattern (the admin sites aside) is requested with GET, with real objects of the demo in
its parameters and with valid tokens for the emailed links, by a visitor, a member and a staff
member. Every table is compared before and after each request. New URLs are covered without
being listed here: parameters are filled in by their names.

What a GET may record, on purpose: how far a member has read a thread (read markers, the thread's
reader count, notifications of posts now seen), the session itself, and the resized copies of
images Wagtail makes the first time a page shows them (a cache), and the anonymous count of
searches that found nothing (for editors).
"""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from community import services
from community.models import Post, Thread, User, VerificationRequest, WorkingGroupMembership
from digest.preferences import unsubscribe_token
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "django-admin/", "static/", "media/")
# Records a GET may write (see the module docstring).
IGNORED_MODELS = {
    "sessions.Session",
    "community.ThreadRead",
    "wagtailimages.Rendition",
    "search.UnansweredSearch",
}
IGNORED_FIELDS = {
    ("community.Thread", "view_count"),
    ("community.Notification", "is_read"),
    ("community.Notification", "updated_at"),
    ("community.User", "last_login"),
}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def routes(patterns=None, prefix=""):
    """Yield the route of every URL pattern (regular expressions without groups included)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if getattr(entry.pattern, "regex", None) is not None and route.startswith("^"):
            if entry.pattern.regex.groups:
                continue
            route = route.strip("^$").replace("\\", "")
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    thread = Thread.objects.filter(forum__audience="public", post_count__gt=1).first()
    post = thread.posts.order_by("number").last()
    mira = User.objects.get(username="mira")
    request = VerificationRequest.objects.create(
        user=User.objects.get(username="luca"),
        organisation="Example",
        role="Officer",
        official_email="luca@police.example.eu",
    )
    membership = WorkingGroupMembership.objects.filter(status="pending").first()
    tag = thread.tags.first()
    by_section = {
        "forums": {"slug": thread.forum.slug, "key": thread.forum.slug},
        "t": {"slug": thread.slug, "key": thread.pk},
        "tags": {"slug": tag.slug if tag else "x", "key": tag.slug if tag else "x"},
        "groups": {"slug": "x", "pk": membership.pk if membership else 1},
        "verification": {
            "token": services.verification_confirm_token(request=request),
            "pk": VerificationRequest.objects.filter(status="pending").first().pk,
        },
        "digest": {"token": unsubscribe_token(user_id=mira.pk)},
    }
    from community.models import WorkingGroup

    by_section["groups"]["slug"] = WorkingGroup.objects.first().slug
    defaults = {
        "thread_id": thread.pk,
        "post_id": post.pk,
        "pk": post.pk,
        "id": post.pk,
        "username": mira.username,
        "slug": thread.forum.slug,
        "key": thread.forum.slug,
        "token": "x",
    }
    return by_section, defaults


def page_tree_and_email_links():
    """Return the Wagtail pages (served by its catch-all) and allauth's emailed links."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from knowledgebase.models import CaseStudyPage

    case_study = CaseStudyPage.objects.live().filter(audience="public").first()
    mira = User.objects.get(username="mira")
    address = EmailAddress.objects.create(user=mira, email="mira@work.example.eu")
    key = EmailConfirmationHMAC(address).key
    return [
        "/",
        "/about/",
        "/case-studies/",
        case_study.url,
        f"/accounts/confirm-email/{key}/",
        "/search/?q=helicopter",
        "/search/?q=nothing-matches-this",
    ]


def fill(route, by_section, defaults):
    section = route.split("/", 1)[0]
    values = {**defaults, **by_section.get(section, {})}
    return "/" + PARAMETER.sub(lambda m: str(values.get(m["name"], "1")), route)


def snapshot():
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.proxy or not model._meta.managed or label in IGNORED_MODELS:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if (label, field.attname) not in IGNORED_FIELDS
        ]
        state[label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return state


def changes(before, after):
    return sorted(label for label in before if before[label] != after[label])


def test_no_get_changes_anything(demo):
    by_section, defaults = demo
    urls = sorted(
        {fill(r, by_section, defaults) for r in routes() if not r.startswith(SKIPPED_PREFIXES)}
        | set(page_tree_and_email_links())
    )
    assert len(urls) > 40
    assert any("/digest/unsubscribe/" in url for url in urls)
    visitors = {"visitor": Client(), "member": Client(), "staff": Client()}
    visitors["member"].force_login(User.objects.get(username="mira"))
    visitors["staff"].force_login(make_staff(is_superuser=True))
    for client in visitors.values():
        client.raise_request_exception = False
    problems, answered = [], 0
    for who, client in visitors.items():
        for url in urls:
            before = snapshot()
            response = client.get(url)
            answered += response.status_code == 200
            if changed := changes(before, snapshot()):
                problems.append(f"GET {url} as {who} ({response.status_code}) changed {changed}")
    assert problems == []
    assert not EmailAddress.objects.get(email="mira@work.example.eu").verified
    assert answered > 50  # most URLs were really served, not refused


@pytest.mark.parametrize(
    "path",
    [
        "/t/{thread}/reply/",
        "/p/{post}/delete/",
        "/p/{post}/helpful/",
        "/t/{thread}/follow/",
        "/notifications/read/",
        "/groups/{group}/join/",
    ],
)
def test_writes_refuse_get(client, member, path):
    from tests.factories import ForumFactory, WorkingGroupFactory, make_thread

    thread = make_thread(ForumFactory())
    post = Post.objects.filter(thread=thread).first()
    group = WorkingGroupFactory()
    client.force_login(member)
    url = path.format(thread=thread.pk, post=post.pk, group=group.slug)
    assert client.get(url).status_code == 405
