"""Every public page runs only the scripts its policy allows: each carries the response's nonce.

The policy itself is checked on every page type by test_security_headers.py; here the markup is
read with an HTML parser, so an inline handler, an inline style or a script without the nonce
(which the policy would block, breaking the page) is found on any page type, error pages included.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client, override_settings

from tests.community.test_security_headers import public_pages

pytestmark = pytest.mark.django_db


def policy(response):
    header = response.headers["Content-Security-Policy"]
    return dict(([*d.strip().split(" ", 1), ""])[:2] for d in header.split(";") if d.strip())


def nonce_of(response):
    found = re.search(r"'nonce-([^']+)'", policy(response).get("script-src", ""))
    return found.group(1) if found else None


def markup_problems(html, nonce):
    soup = BeautifulSoup(html, "html.parser")
    problems = [
        f"script without the nonce: {str(script)[:80]}"
        for script in soup.find_all("script")
        if script.get("nonce") != nonce
    ]
    for element in soup.find_all(True):
        problems += [
            f"inline handler {name} on <{element.name}>"
            for name in element.attrs
            if name.lower().startswith("on")
        ]
        if "style" in element.attrs:
            problems.append(f"inline style on <{element.name}>")
        for name in ("href", "src", "action", "formaction"):
            if str(element.get(name, "")).strip().lower().startswith("javascript:"):
                problems.append(f"javascript: URL in {name} of <{element.name}>")
    problems += [f"inline <style>: {str(s)[:60]}" for s in soup.find_all("style")]
    return problems


def more_pages():
    """Return page types newer than the header test's list: search, tags, the privacy notice."""
    from community.models import Thread

    tag = Thread.objects.filter(tags__isnull=False).first().tags.first()
    return {
        "search form": "/search/",
        "search results": "/search/?q=police",
        "search with nothing found": "/search/?q=zzzzqqq",
        "tag": f"/tags/{tag.slug}/",
        "privacy notice": "/privacy/",
    }


def test_every_public_page_type_uses_the_nonce_and_nothing_inline(client):
    problems = []
    for name, path in (public_pages() | more_pages()).items():
        response = client.get(path)
        if response.status_code not in (200, 404):
            problems.append(f"{name}: status {response.status_code}")
            continue
        nonce = nonce_of(response)
        if not nonce:
            problems.append(f"{name}: no nonce in script-src")
            continue
        problems += [f"{name}: {p}" for p in markup_problems(response.content.decode(), nonce)]
    assert problems == []


def test_member_pages_use_the_nonce_and_nothing_inline(client):
    from community.models import Forum, User

    public_pages()
    client.force_login(User.objects.get(username="mira"))
    forum = Forum.objects.filter(audience="public").first()
    paths = [
        "/settings/",
        "/settings/digest/",
        "/settings/verification/",
        "/notifications/",
        "/groups/",
        f"/forums/{forum.slug}/new/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]
    problems = []
    for path in paths:
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: status {response.status_code}")
            continue
        nonce = nonce_of(response)
        problems += [f"{path}: {p}" for p in markup_problems(response.content.decode(), nonce)]
    assert problems == []


def test_error_pages_use_the_nonce_and_the_strict_policy(client, settings):
    client.raise_request_exception = False
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    responses = {"404": client.get("/no-such-page/")}
    with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
        responses["500"] = client.get("/boom/")
    responses["403 csrf"] = Client(enforce_csrf_checks=True).post("/accounts/login/", {})
    for _attempt in range(2):
        responses["429"] = client.post("/accounts/login/", {"login": "a@b.eu", "password": "x"})
    assert {name: r.status_code for name, r in responses.items()} == {
        "404": 404,
        "500": 500,
        "403 csrf": 403,
        "429": 429,
    }
    problems = []
    for name, response in responses.items():
        if "'unsafe-inline'" in policy(response).get("script-src", "'unsafe-inline'"):
            problems.append(f"{name}: script-src allows inline scripts")
        if policy(response).get("frame-ancestors") != "'none'":
            problems.append(f"{name}: may be framed")
        nonce = nonce_of(response)
        problems += [f"{name}: {p}" for p in markup_problems(response.content.decode(), nonce)]
    assert problems == []
