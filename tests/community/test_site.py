"""Site-wide behaviour: pages answer, errors are styled, headers are safe, health is reported."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/code-of-conduct/",
    "/privacy/",
    "/accessibility/",
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_with_the_site_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#main"' in html  # skip link
    assert '<main id="main"' in html
    assert 'href="/privacy/"' in html
    assert 'href="/accessibility/"' in html
    assert "/static/css/site.css" in html


def test_home_page_is_the_wagtail_site_root(client):
    response = client.get("/")
    assert b"MEDI@4SEC Community Portal" in response.content
    assert b"The good, the bad and the ugly" in response.content
    assert response.context["page"].specific_class.__name__ == "HomePage"


def test_unknown_url_gets_the_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We cannot find that page" in response.content
    assert b'class="site-header"' in response.content


def test_server_errors_show_a_page_without_traceback(client):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.community.urls_broken"):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"Traceback" not in response.content
    assert b"RuntimeError" not in response.content


def test_pages_never_load_anything_from_another_host(client):
    html = client.get("/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(not url.startswith(("http:", "https:", "//")) for url in urls), urls


def test_public_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    nonce = re.search(r"'nonce-([\w+/=-]+)'", directives["script-src"]).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_each_response_gets_its_own_nonce(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_admin_pages_get_the_wider_policy_they_need(client):
    policy = client.get("/admin/login/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy


def test_robots_txt_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Disallow: /accounts/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_header_navigation_leads_to_each_section(client):
    html = client.get("/about/").content.decode()
    nav = html[
        html.index('aria-label="Main"') : html.index("</nav>", html.index('aria-label="Main"'))
    ]
    for label, path in [
        ("Case studies", "/case-studies/"),
        ("Forums", "/forums/"),
        ("Members", "/members/"),
    ]:
        assert f'href="{path}"' in nav
        assert label in nav
        assert client.get(path).status_code == 200


def test_healthz_answers_without_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency_with_timings(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["database"]["ms"] >= 0
    assert checks["cache"]["ok"] is True
    assert ("broker" in checks) == bool(settings.REDIS_URL)
    assert response.json()["outbox_pending"] == 0


def test_readyz_is_503_when_the_broker_is_unreachable(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False}  # which one, never why


def test_expired_form_gets_the_styled_403(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/settings/", {"user-display_name": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b'class="site-header"' in response.content


def test_bad_host_gets_the_styled_400(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert b"We could not understand that request" in response.content
