"""Request middleware: the content security policy per area, two-factor for privileged roles,
no session for suspended members; and the member of each request loaded with their profile."""

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .caching import member_facts
from .permissions import is_suspended, must_use_two_factor


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Apply the strict policy everywhere but the admin sites, whose editors need inline code."""

    def process_response(self, request, response):
        if request.path.startswith(settings.ADMIN_PATH_PREFIXES):
            response._csp_config = settings.ADMIN_CSP
        return super().process_response(request, response)


class RequireTwoFactorForStaffMiddleware:
    """Send staff, editors, moderators and verifiers to set up TOTP before anything else.

    The member's roles, TOTP, verified address and working groups come from one cached entry
    (``caching.member_facts``), which also answers ``permissions.role_names``, ``may_write``
    and ``working_group_ids`` for the rest of the request: no query for them per request.
    """

    exempt_prefixes = ("/accounts/", "/static/", "/media/", "/healthz", "/readyz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        facts = member_facts(request.user)
        # The attributes permissions.role_names, may_write and working_group_ids remember per
        # request.
        request.user._role_names = facts["role_names"]
        request.user._may_write = facts["has_verified_email"]
        request.user._working_group_ids = facts["working_group_ids"]
        if (
            not request.path.startswith(self.exempt_prefixes)
            and must_use_two_factor(request.user)
            and not facts["has_totp"]
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set it up to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class ConsentMiddleware:
    """Ask signed-in members to accept a new version of the terms or the privacy notice.

    Reading the documents themselves, signing out, the account pages (sign-in, re-authentication,
    two-factor set-up must be able to finish), static files and health checks stay reachable, and
    so do exporting one's data and leaving: those rights do not depend on accepting anything.
    """

    exempt_prefixes = (
        "/accounts/",
        "/static/",
        "/media/",
        "/healthz",
        "/readyz",
        "/consent/",
        "/settings/privacy/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .services.privacy import needs_consent

        if (
            request.user.is_authenticated
            and not request.path.startswith(
                (*self.exempt_prefixes, settings.TERMS_URL, settings.PRIVACY_NOTICE_URL)
            )
            and needs_consent(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('community:consent')}?{query}")
        return self.get_response(request)


class SuspendedMemberMiddleware:
    """End the session of a suspended member and say until when the suspension lasts.

    Suspending deletes the member's stored sessions (``moderation.sessions_end``); this catches
    what no engine can search (cache-only sessions) and every sign-in during the suspension.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and is_suspended(request.user):
            until = request.user.suspended_until
            logout(request)
            return render(request, "community/suspended.html", {"until": until}, status=403)
        return self.get_response(request)


class CompressWithoutSecretsMiddleware(GZipMiddleware):
    """Gzip HTML and feeds only for responses that carry no secret (no BREACH exposure).

    BREACH guesses a secret in a compressed body byte by byte from its size, next to text the
    attacker reflects into the same body. A response to a visitor who is not signed in, and whose
    page asked for no CSRF token, holds nothing to guess: those are compressed. Pages for members,
    and forms (CSRF token), go out uncompressed. Static files are compressed by whitenoise.
    """

    def process_response(self, request, response):
        # get_token() sets this key (CsrfViewMiddleware later sets it False, but keeps it).
        if "CSRF_COOKIE_NEEDS_UPDATE" in request.META or _is_signed_in(request):
            return response
        return super().process_response(request, response)


def _is_signed_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class _WithProfile:
    """Load the request's member and their profile in one query (``AuthenticationMiddleware``).

    Every signed-in request asks the profile (``permissions.is_verified_practitioner``, in the
    access rule): joined here it costs no query of its own, and it is as fresh as the member.
    """

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class MemberModelBackend(_WithProfile, ModelBackend):
    """Django's username and password sign-in (``createsuperuser``, tests' ``force_login``)."""


class MemberAuthenticationBackend(_WithProfile, AuthenticationBackend):
    """allauth's sign-in (username or email address), which members use."""
