"""Where a member lands after signing in or confirming their address, and what a used link says."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import User
from tests.factories import (
    PASSWORD,
    ForumFactory,
    UserFactory,
    backdate,
    make_case_study,
    make_thread,
)

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


def sign_in(client, email="owner@example.eu", next_url=None):
    url = reverse("account_login")
    if next_url is not None:
        url = f"{url}?next={next_url}"
    return client.post(url, {"login": email, "password": PASSWORD})


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", email="owner@example.eu")


def test_a_returning_member_lands_on_the_home_page(client, owner):
    assert sign_in(client).url == "/"


def test_a_member_lands_back_where_they_came_from(client, owner):
    thread = make_thread(title="Rumours after the flood")
    assert sign_in(client, next_url=thread.get_absolute_url()).url == thread.get_absolute_url()


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_next_to_another_site_is_ignored(client, owner, unsafe):
    assert sign_in(client, next_url=unsafe).url == "/"


def test_the_header_sign_in_link_carries_the_current_page(client):
    forum = ForumFactory(slug="good-practice")
    html = client.get(f"/forums/{forum.slug}/?sort=new").content.decode()
    login = reverse("account_login")
    assert f'href="{login}?next=/forums/good-practice/%3Fsort%3Dnew"' in html
    # On the sign-in page itself the link does not point back to it.
    assert f'href="{login}"' in client.get(login).content.decode()


def test_confirming_in_the_browser_that_signed_up_signs_the_newcomer_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])
    response = client.post(link, follow=True)
    assert response.wsgi_request.user.username == "newcomer"
    # A newcomer goes on to fill in their profile.
    assert response.redirect_chain[-1][0] == reverse("community:settings")


def test_a_used_confirmation_link_says_the_address_is_confirmed(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])
    client.post(link)
    client.logout()

    for response in (client.get(link), client.post(link)):  # reopened, or pressed twice
        assert response.status_code == 200
        html = response.content.decode()
        assert "This address is already confirmed" in html
        assert f'<a href="{reverse("account_login")}">Sign in</a>' in html
        assert "expired or is invalid" not in html


def test_a_forged_or_expired_link_is_still_called_invalid(client, settings):
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])
    forged = link.replace("/confirm-email/", "/confirm-email/x")
    html = client.get(forged).content.decode()
    assert "expired or is invalid" in html
    assert "already confirmed" not in html

    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0  # every link has expired
    EmailAddress.objects.filter(email=SIGNUP["email"]).update(verified=True)
    html = client.get(link).content.decode()
    assert "expired or is invalid" in html


def home_after_sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client.get("/").content.decode()


def test_the_home_page_shows_what_is_new_since_the_last_visit(client, owner):
    last_visit = timezone.now() - datetime.timedelta(days=3)
    User.objects.filter(pk=owner.pk).update(last_login=last_visit)
    before = backdate(make_thread(title="Old news"), last_visit - datetime.timedelta(days=1))
    make_thread(title="Fresh debate about drones")
    make_thread(ForumFactory(audience="verified"), title="Verified-only debrief")
    make_thread(author=owner, title="My own question")
    make_case_study("Live-sharing of a police operation")
    assert before.last_activity_at < last_visit

    html = home_after_sign_in(client, owner)
    new = html.split('id="new-for-you-title"', 1)[1].split("</section>", 1)[0]
    assert "Fresh debate about drones" in new
    assert "Live-sharing of a police operation" in new
    assert "Old news" not in new
    assert "Verified-only debrief" not in new  # what the member may not see
    assert "My own question" not in new  # nothing new for them in their own post


def test_a_first_sign_in_shows_no_new_for_you_block(client, owner):
    make_thread(title="Fresh debate about drones")
    assert "New for you" not in home_after_sign_in(client, owner)
    assert "New for you" not in client.get("/").content.decode().split("<main", 1)[0]


def queries(client, path="/"):
    with CaptureQueriesContext(connection) as counted:
        html = client.get(path).content.decode()
    return len(counted), html


def test_the_new_for_you_block_costs_three_queries_however_much_is_new(client, owner):
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now() - datetime.timedelta(days=3))
    assert "Nothing new for you since your last visit." in home_after_sign_in(client, owner)
    first_timer = Client()
    home_after_sign_in(first_timer, UserFactory(username="first", email="first@example.eu"))
    for number in range(4):
        make_thread(title=f"Fresh thread {number}")
        make_case_study(f"Fresh case study {number}", classification="bad")

    returning, html = queries(client)
    first, _html = queries(first_timer)
    # Wagtail's view restrictions, the case studies, the threads.
    assert returning == first + 3
    new = html.split('id="new-for-you-title"', 1)[1].split("</section>", 1)[0]
    assert new.count("<li>") == 6  # three of each
