"""Name, address and contact in emails, pages, sitemap and admin come from settings."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "newcomer@example.eu",
    "username": "newcomer",
    "password1": "a-long-unusual-passphrase-7",
    "password2": "a-long-unusual-passphrase-7",
    "accept_terms": "on",
}


@pytest.fixture
def site_url(settings):
    """Serve at a production-like address and sync the site records, as ``migrate`` does."""
    settings.SITE_URL = "https://portal.example.eu"
    call_command("migrate", "community", verbosity=0)  # no migration left: only post_migrate runs
    return settings.SITE_URL


def test_account_emails_name_the_portal_not_example_com(client, site_url):
    client.post(reverse("account_signup"), SIGNUP)
    body = mail.outbox[0].body
    assert "MEDI@4SEC Community Portal" in body
    assert "example.com" not in body


def test_the_sitemap_lists_pages_at_the_configured_address(client, site_url):
    content = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://portal.example.eu/" in content
    assert "localhost" not in content


def test_the_admin_loads_no_avatar_from_gravatar(client):
    client.force_login(make_staff(is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"gravatar.com" not in response.content


def test_every_page_names_the_contact_address_in_its_footer(client, settings):
    settings.CONTACT_EMAIL = "team@portal.example.eu"
    for path in ["/", "/forums/", "/accounts/login/", "/no-such-page/"]:
        content = client.get(path).content.decode()
        assert 'href="mailto:team@portal.example.eu"' in content, path


def test_dates_read_day_month_year_with_24_hours():
    moment = datetime.datetime(2026, 11, 29, 23, 28, tzinfo=datetime.UTC)
    html = Template('{{ d|date }} | {{ d|date:"DATETIME_FORMAT" }}').render(Context({"d": moment}))
    assert html == "30 Nov 2026 | 30 Nov 2026, 00:28"  # shown in the portal's time zone
