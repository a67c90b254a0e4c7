"""Sessions end when they should: on log-out, and everywhere else on a password change or reset."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-8"
SETTINGS_URL = "/settings/"


@pytest.fixture
def owner():
    return UserFactory(username="owner", email="owner@example.eu")


def signed_in(user):
    """Return a client signed in through the log-in form, like a second browser."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client):
    return client.get(SETTINGS_URL).status_code == 200


def test_log_out_ends_the_session_on_the_server(owner):
    browser = signed_in(owner)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    browser.post(reverse("account_logout"))
    assert not is_signed_in(browser)
    assert not Session.objects.filter(session_key=cookie).exists()
    # A copy of the old cookie (stolen before log-out) opens nothing.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert not is_signed_in(thief)


def test_log_out_needs_a_post(owner):
    browser = signed_in(owner)
    response = browser.get(reverse("account_logout"))
    assert response.status_code == 200  # a confirmation page with a button
    assert is_signed_in(browser)


def test_changing_the_password_ends_every_other_session(owner):
    laptop, phone = signed_in(owner), signed_in(owner)
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)  # the browser that changed it stays signed in
    assert not is_signed_in(phone)


def test_resetting_the_password_ends_every_session(owner):
    laptop = signed_in(owner)
    stranger = Client()
    stranger.post(reverse("account_reset_password"), {"email": owner.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    form_url = stranger.get(link.group(1), follow=True).redirect_chain[-1][0]
    stranger.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not is_signed_in(laptop)
    assert is_signed_in(signed_in_with(owner, NEW_PASSWORD))


def signed_in_with(user, password):
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client


def test_a_deactivated_member_is_signed_out_everywhere(owner):
    laptop = signed_in(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert not is_signed_in(laptop)
