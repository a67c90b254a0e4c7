"""Request middleware: the content security policy per area, and two-factor for privileged roles."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .permissions import must_use_two_factor


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Apply the strict policy everywhere but the admin sites, whose editors need inline code."""

    def process_response(self, request, response):
        if request.path.startswith(settings.ADMIN_PATH_PREFIXES):
            response._csp_config = settings.ADMIN_CSP
        return super().process_response(request, response)


class RequireTwoFactorForStaffMiddleware:
    """Send staff, editors, moderators and verifiers to set up TOTP before anything else."""

    exempt_prefixes = ("/accounts/", "/static/", "/media/", "/healthz", "/readyz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and must_use_two_factor(request.user)
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set it up to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
