"""Every public page type answers with the security headers, and loads nothing from other hosts."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from community.models import Forum, Thread, User
from knowledgebase.models import CaseStudyPage

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r'(?:src|href|action|poster|data)=["\'](?:https?:)?//(?!testserver)', re.I)


def public_pages():
    call_command("seed_demo", stdout=StringIO())
    forum = Forum.objects.filter(audience="public", thread_count__gt=0).first()
    thread = Thread.objects.filter(forum=forum).first()
    case_study = CaseStudyPage.objects.live().filter(audience="public").first()
    member = User.objects.get(username="mira")
    return {
        "home": "/",
        "standard page": "/about/",
        "library": "/case-studies/",
        "library with facets": "/case-studies/?classification=good&page=1",
        "case study": case_study.url,
        "forum index": "/forums/",
        "forum": forum.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "member directory": "/members/",
        "profile": f"/members/{member.username}/",
        "sign up": "/accounts/signup/",
        "log in": "/accounts/login/",
        "password reset": "/accounts/password/reset/",
        "not found": "/no-such-page/",
    }


def test_every_public_page_type_sends_the_security_headers(client):
    problems = []
    for name, path in public_pages().items():
        response = client.get(path)
        if response.status_code not in (200, 404) or (name == "not found") != (
            response.status_code == 404
        ):
            problems.append(f"{name} {path}: status {response.status_code}")
            continue
        policy = response.headers.get("Content-Security-Policy", "")
        directives = dict(
            ([*d.strip().split(" ", 1), ""])[:2] for d in policy.split(";") if d.strip()
        )
        checks = {
            "script-src without unsafe-inline": "'unsafe-inline'"
            not in directives.get("script-src", "'unsafe-inline'"),
            "frame-ancestors 'none'": directives.get("frame-ancestors") == "'none'",
            "object-src 'none'": directives.get("object-src") == "'none'",
            "nosniff": response.headers.get("X-Content-Type-Options") == "nosniff",
            "referrer policy": response.headers.get("Referrer-Policy")
            == "strict-origin-when-cross-origin",
            "frame options": response.headers.get("X-Frame-Options") == "DENY",
            "opener policy": response.headers.get("Cross-Origin-Opener-Policy") == "same-origin",
            "nothing from other hosts": not EXTERNAL.search(
                re.sub(r'<a [^>]*href="[^"]*"', "<a", response.content.decode())
            ),
        }
        problems += [f"{name} {path}: {check}" for check, ok in checks.items() if not ok]
    assert problems == []


@pytest.mark.parametrize(
    "path", ["/feeds/case-studies/", "/feeds/forums/", "/sitemap.xml", "/robots.txt"]
)
def test_machine_readable_pages_are_not_sniffed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
