"""Log-in, sign-up and password-reset limits on every way in, and what a forged header changes.

allauth counts per client address. The address is the socket's (``REMOTE_ADDR``) or, behind
``TRUSTED_PROXY_COUNT`` proxies, the one the outermost trusted proxy saw: whatever a client writes
into ``X-Forwarded-For`` itself stays to the left of that and is never read.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PATHS = ["/accounts/login/", "/admin/login/", "/django-admin/login/"]


def forged(number):
    """Return headers of a client that claims another origin on every request."""
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{number}, 198.51.100.7"}


@pytest.fixture(params=[0, 1], ids=["no proxy", "one proxy"])
def proxies(request, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = request.param
    return request.param


def limit(settings, **rates):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **rates}


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_log_in_requests_are_limited_on_every_log_in_page(client, settings, proxies, path):
    limit(settings, login="3/m/ip")
    statuses = [
        client.post(
            path, {"login": f"x{i}@example.eu", "password": "nope"}, **forged(i)
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post(path, {"login": "y@example.eu", "password": "nope"}, **forged(9))
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_the_three_log_in_pages_share_one_count(client, settings):
    limit(settings, login="3/m/ip")
    statuses = [
        client.post(path, {"login": "x@example.eu", "password": "nope"}).status_code
        for path in LOGIN_PATHS
    ]
    assert statuses == [200, 200, 200]
    for path in LOGIN_PATHS:
        assert client.post(path, {"login": "x@example.eu", "password": "n"}).status_code == 429


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_failed_admin_log_ins_lock_the_account_everywhere(client, proxies, path):
    UserFactory(username="staffer", email="staffer@example.eu", is_staff=True)
    for i in range(5):
        client.post(path, {"login": "staffer@example.eu", "password": "guess"}, **forged(i))
    for login_path in LOGIN_PATHS:
        response = client.post(
            login_path, {"login": "staffer@example.eu", "password": PASSWORD}, **forged(50)
        )
        assert b"Too many failed login attempts" in response.content
        assert "_auth_user_id" not in client.session


def test_sign_up_is_limited_per_address(client, settings, proxies):
    limit(settings, signup="2/m/ip")
    statuses = []
    for i in range(3):
        data = {
            "email": f"new{i}@example.eu",
            "username": f"new{i}",
            "password1": "a-long-unusual-passphrase-7",
            "password2": "a-long-unusual-passphrase-7",
            "accept_terms": "on",
        }
        statuses.append(client.post(reverse("account_signup"), data, **forged(i)).status_code)
    assert statuses == [302, 302, 429]


def test_password_reset_is_limited_per_address(client, settings, proxies):
    limit(settings, reset_password="2/m/ip")
    statuses = [
        client.post(
            reverse("account_reset_password"), {"email": f"x{i}@example.eu"}, **forged(i)
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_password_reset_is_limited_per_address_asked_for(client, settings):
    UserFactory(username="owner", email="owner@example.eu")
    limit(settings, reset_password="100/m/ip,2/m/key")
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "owner@example.eu"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_guessing_the_two_factor_code_locks_it(client, path):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    staff = UserFactory(username="staffer", email="staffer@example.eu", is_staff=True)
    TOTP.activate(staff, secret)
    response = client.post(path, {"login": "staffer@example.eu", "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    right = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    response = client.post(reverse("mfa_authenticate"), {"code": right})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
