"""Privacy pages: accepting new terms, data export, leaving the portal, leaving the portal.

Each view parses input and hands off to ``services/privacy.py`` or ``services/exports.py``.
"""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..forms.privacy import AccountDeleteForm, ConsentForm
from ..models import AccountErasure
from ..services import exports as export
from ..services import privacy as consent
from ..services import privacy as erasure


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
@login_required
def consent_accept(request):
    """Ask the member to accept the current terms and privacy notice, then go where they were."""
    next_url = _safe_next(request)
    missing = consent.missing_documents(request.user)
    if not missing:
        return redirect(next_url)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consent.consent_record(user=request.user)
        consent.remember_accepted(request)
        messages.success(request, _("Thank you: you accepted the current versions."))
        return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "documents": consent.document_list(missing),
        "is_update": request.user.consents.exists(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "community/consent_accept.html", context, status=status)


@never_cache
@login_required
def privacy_settings(request):
    """Show the member's exports and how to leave; a POST asks for a new export."""
    if request.method == "POST":
        export.export_request(user=request.user)
        messages.success(
            request,
            _("We are preparing your data. You will get an email with the link in a few minutes."),
        )
        return redirect("community:settings_privacy")
    exports = request.user.data_exports.filter(expires_at__gt=timezone.now())
    context = {
        "exports": exports,
        "consents": request.user.consents.all(),
        "valid_hours": settings.DATA_EXPORT_HOURS,
    }
    return render(request, "community/privacy_settings.html", context)


@never_cache
@login_required
def export_download(request, export_id):
    """Hand the member their own, unexpired export; anything else does not exist (404)."""
    found = export.export_for_download(user=request.user, export_id=export_id)
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"medi4sec-data-{found.created_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


def _deletion_confirmed(request) -> bool:
    # Ask for the password only once the form is right, so a missed box is said at once.
    return AccountDeleteForm(request.POST).is_valid()


@never_cache
@login_required
@reauthentication_required(allow_get=True, enabled=_deletion_confirmed)
def account_delete(request):
    """Explain what leaving means; a confirmed POST, after re-authentication, erases the account.

    allauth asks for the password again (or the second factor) unless the member signed in a
    few minutes ago, then replays the confirmed POST.
    """
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        erasure.account_erase(user=user, initiator=AccountErasure.Initiator.MEMBER)
        messages.success(request, _("Your account was deleted. Thank you for taking part."))
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "posts": request.user.posts.count()}
    return render(request, "community/account_delete.html", context, status=status)
