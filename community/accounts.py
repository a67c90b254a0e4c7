"""The allauth glue: where members land, the visit before this sign-in (for the home page's "new
for you"), used confirmation links.

allauth's adapter is its one published hook for what happens at log-in; nothing else overrides it.
A returning member lands where they came from (``next``, which allauth checks is on this site),
else on the home page (``LOGIN_REDIRECT_URL``).
"""

import datetime

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.core import signing
from django.urls import reverse

PREVIOUS_VISIT_KEY = "previous_visit"


class AccountAdapter(DefaultAccountAdapter):
    def get_signup_redirect_url(self, request):
        """Send a newcomer, signed in by confirming their address, on to fill in their profile."""
        return reverse("community:settings")

    def login(self, request, user):
        """Sign *user* in, keeping when they signed in before (the home page's "new for you")."""
        previous = user.last_login
        super().login(request, user)
        if previous is not None:
            request.session[PREVIOUS_VISIT_KEY] = previous.isoformat()


def previous_visit(request) -> datetime.datetime | None:
    """Return when the signed-in member signed in before this session, if they had."""
    value = request.session.get(PREVIOUS_VISIT_KEY) if request.user.is_authenticated else None
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def is_used_confirmation_key(key: str) -> bool:
    """Return whether an email confirmation *key* is genuine and its address confirmed already.

    allauth answers a used link like a forged or expired one; a member who opens the email
    again should rather read that the address is confirmed and they can sign in.
    """
    max_age = 60 * 60 * 24 * allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
    try:
        pk = signing.loads(key, max_age=max_age, salt=allauth_settings.SALT)
    except signing.BadSignature:  # expired links included (SignatureExpired is one)
        return False
    return EmailAddress.objects.filter(pk=pk, verified=True).exists()
