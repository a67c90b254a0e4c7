"""Consent: sign-up records the accepted versions; a new version is asked for on the next visit."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from community.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "newcomer@example.eu",
    "username": "newcomer",
    "password1": "a-long-unusual-passphrase-7",
    "password2": "a-long-unusual-passphrase-7",
}


def test_sign_up_records_the_versions_accepted_and_when(client, settings):
    settings.TERMS_VERSION, settings.PRIVACY_VERSION = "3", "7"
    moment = datetime.datetime(2026, 11, 2, 10, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        response = client.post(reverse("account_signup"), {**SIGNUP, "accept_terms": "on"})
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert sorted(user.consents.values_list("document", "version", "accepted_at")) == [
        ("privacy", "7", moment),
        ("terms", "3", moment),
    ]


def test_sign_up_without_accepting_is_refused_and_keeps_what_was_typed(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200
    page = response.content.decode()
    assert "To join, accept the terms of use and the privacy notice." in page
    assert 'value="newcomer@example.eu"' in page
    assert not User.objects.filter(username="newcomer").exists()


def test_sign_up_form_links_both_documents(client, settings):
    page = client.get(reverse("account_signup")).content.decode()
    assert f'href="{settings.TERMS_URL}"' in page
    assert f'href="{settings.PRIVACY_NOTICE_URL}"' in page
    assert "Send me the weekly digest" in page  # digest consent stays a separate box


def test_new_version_is_asked_for_on_the_next_visit_and_returns_to_the_page(client, settings):
    member = UserFactory(username="mira")
    client.force_login(member)
    assert client.get("/forums/").status_code == 200

    settings.PRIVACY_VERSION = "2"
    response = client.get("/forums/?page=1")
    assert response.status_code == 302
    assert response.url == reverse("community:consent") + "?next=%2Fforums%2F%3Fpage%3D1"

    page = client.get(response.url)
    assert page.status_code == 200
    assert "We changed our terms of use or our privacy notice." in page.content.decode()
    assert "(new for you)" in page.content.decode()

    refused = client.post(reverse("community:consent"), {"next": "/forums/?page=1"})
    assert refused.status_code == 400
    assert "Tick the box to accept, or sign out." in refused.content.decode()

    accepted = client.post(
        reverse("community:consent"), {"next": "/forums/?page=1", "accept": "on"}
    )
    assert accepted.status_code == 302
    assert accepted.url == "/forums/?page=1"
    assert member.consents.filter(document="privacy", version="2").exists()
    assert member.consents.filter(document="privacy", version="1").exists()  # history kept
    assert client.get("/forums/").status_code == 200


def test_consent_page_never_sends_to_another_site(client, settings):
    member = UserFactory(consented=False)
    client.force_login(member)
    response = client.post(
        reverse("community:consent"), {"next": "https://evil.example/", "accept": "on"}
    )
    assert response.url == "/"


@pytest.mark.parametrize(
    "path",
    ["/privacy/", "/code-of-conduct/", "/healthz", "/static/css/site.css", "/settings/privacy/"],
)
def test_documents_health_checks_and_static_files_stay_reachable(client, path):
    client.force_login(UserFactory(consented=False))
    response = client.get(path)
    assert not (response.status_code == 302 and "/consent/" in response.get("Location", ""))


def test_member_can_sign_out_without_accepting(client):
    client.force_login(UserFactory(consented=False))
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_not_asked(client, settings):
    settings.TERMS_VERSION = "9"
    assert client.get("/forums/").status_code == 200


def test_up_to_date_member_costs_no_query_after_the_first_request(
    client, django_assert_num_queries
):
    from community.services import privacy as consent

    member = UserFactory()
    client.force_login(member)
    client.get("/forums/")

    class Request:
        session = client.session
        user = member

    Request.session.get("warm")  # load the session before counting
    with django_assert_num_queries(0):
        assert consent.needs_consent(Request) is False
