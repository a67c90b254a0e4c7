"""Sign-up, email verification, log-in, password reset and two-factor rules (django-allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from community.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "newcomer@example.eu",
    "username": "newcomer",
    "password1": "a-long-unusual-passphrase-7",
    "password2": "a-long-unusual-passphrase-7",
    "accept_terms": "on",
}


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_requires_email_verification_before_log_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(username="newcomer").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.eu"]

    # Logging in before the address is confirmed only re-sends the confirmation.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.wsgi_request.user.is_authenticated is False
    assert "_auth_user_id" not in client.session

    # The link opened in another browser confirms the address but signs nobody in.
    other_browser = Client()
    link = confirmation_link(mail.outbox[0])
    assert other_browser.get(link).status_code == 200
    response = other_browser.post(link)
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in other_browser.session
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified

    response = other_browser.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
        follow=True,
    )
    assert response.wsgi_request.user.username == "newcomer"
    assert response.redirect_chain[-1][0] == "/"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, b"Enter a valid email address."),
        ({"password1": "password", "password2": "password"}, b"This password is too common."),
        ({"password2": "something-else-entirely-9"}, b"You must type the same password each time."),
        ({"username": ""}, b"This field is required."),
    ],
)
def test_sign_up_errors_keep_what_was_typed(client, changes, message):
    data = {**SIGNUP, **changes}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert message in response.content
    assert f'value="{data["username"]}"'.encode() in response.content or not data["username"]
    assert f'value="{data["email"]}"'.encode() in response.content
    assert b'aria-invalid="true"' in response.content
    assert not User.objects.filter(username="newcomer").exists()
    assert mail.outbox == []


def test_taken_username_is_refused_with_a_message(client):
    UserFactory(username="newcomer", email="someone@example.eu")
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200
    assert b"A user with that username already exists." in response.content
    assert b'value="newcomer@example.eu"' in response.content


def test_taken_email_does_not_reveal_the_account_but_tells_its_owner(client):
    UserFactory(username="owner", email="newcomer@example.eu")
    response = client.post(reverse("account_signup"), SIGNUP)
    # Same answer as for a new address, so the form cannot be used to test who is a member.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="newcomer@example.eu").count() == 1
    assert [m.to for m in mail.outbox] == [["newcomer@example.eu"]]
    assert "already" in mail.outbox[0].body.lower()


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    UserFactory(username="owner", email="owner@example.eu")
    known = client.post(reverse("account_reset_password"), {"email": "owner@example.eu"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.eu"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert next(m.to for m in mail.outbox) == ["owner@example.eu"]


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(username="owner", email="owner@example.eu")
    client.post(reverse("account_reset_password"), {"email": "owner@example.eu"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    new_password = "another-long-passphrase-8"
    client.post(form_url, {"password1": new_password, "password2": new_password})
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_login_by_email_and_logout(client):
    UserFactory(username="owner", email="owner@example.eu")
    response = client.post(
        reverse("account_login"), {"login": "owner@example.eu", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("community:settings")).status_code == 200
    client.post(reverse("account_logout"))
    response = client.get(reverse("community:settings"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    UserFactory(username="owner", email="owner@example.eu")
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "owner@example.eu", "password": "wrong-guess"}
        )
        assert b"The email address and/or password you specified are not correct." in (
            response.content
        )
    # Even the right password is refused now, with a message that keeps the address typed.
    response = client.post(
        reverse("account_login"), {"login": "owner@example.eu", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"Too many failed login attempts. Try again later." in response.content
    assert b'value="owner@example.eu"' in response.content
    assert "_auth_user_id" not in client.session


def test_too_many_login_requests_get_a_readable_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post(
            reverse("account_login"), {"login": f"x{i}@example.eu", "password": "nope"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post(reverse("account_login"), {"login": "y@example.eu", "password": "n"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert b'class="site-header"' in response.content


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_logins_go_through_allauth(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b'name="login"' in response.content


@pytest.mark.parametrize("group", ["Editors", "Moderators", "Verifiers"])
def test_privileged_roles_must_set_up_two_factor_first(client, group):
    user = UserFactory(username="editor", email="editor@example.eu")
    user.groups.add(Group.objects.get(name=group))
    response = client.post(
        reverse("account_login"),
        {"login": "editor@example.eu", "password": PASSWORD},
        follow=True,
    )
    activate = reverse("mfa_activate_totp")
    assert [url for url, _status in response.redirect_chain][:2] == ["/", activate]
    assert b"Your role requires two-factor authentication." in response.content
    # allauth asks for the password once more before a device can be added.
    response = client.post(
        f"{reverse('account_reauthenticate')}?next={activate}", {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == activate
    assert b"Authenticator code" in response.content
    for path in ["/", "/admin/", reverse("community:settings")]:
        assert client.get(path).url == reverse("mfa_activate_totp")

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert client.get(reverse("community:settings")).status_code == 200


def test_ordinary_members_are_not_forced_into_two_factor(client, member):
    client.force_login(member)
    assert client.get(reverse("community:settings")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()


def test_staff_with_two_factor_are_asked_for_a_code_at_log_in(client):
    user = UserFactory(username="staffer", email="staffer@example.eu", is_staff=True)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    response = client.post("/admin/login/", {"login": "staffer@example.eu", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_member_adds_an_email_address_that_must_be_confirmed(client, member):
    client.force_login(member)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "work@police.example.eu"}
    )
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="work@police.example.eu")
    assert address.verified is False
    assert mail.outbox[-1].to == ["work@police.example.eu"]
    client.post(confirmation_link(mail.outbox[-1]))
    address.refresh_from_db()
    assert address.verified is True


@pytest.mark.parametrize("proxies", [0, 1])
def test_forged_forwarded_for_headers_do_not_evade_login_limits(client, settings, proxies):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    statuses = [
        client.post(
            reverse("account_login"),
            {"login": "x@example.eu", "password": "nope"},
            # Each attempt claims another origin; a trusted proxy appends the real one.
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
