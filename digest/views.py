"""Digest settings, the member's preview of their next digest, and the one-click unsubscribe.

The unsubscribe link works without logging in: its signed token is the proof. A GET only shows the
choices (mail scanners open links); the buttons, and RFC 8058 clients, POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from community.models import DigestFrequency

from . import preferences
from .delivery import preview_next
from .forms import DigestSettingsForm


@login_required
def digest_settings(request):
    """Let the member choose how often the digest comes and what it follows or mutes."""
    initial = DigestSettingsForm.initial_from(preferences.preferences_get(user=request.user))
    form = DigestSettingsForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        preferences.preferences_save(user=request.user, prefs=form.preferences())
        messages.success(request, _("Your digest settings are saved."))
        return redirect("digest:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "digest/settings.html", {"form": form}, status=status)


@login_required
def digest_preview(request):
    """Show the member what their next digest holds so far, built as the one that is sent."""
    subscription = preferences.subscription_get(user=request.user)
    frequency = subscription.frequency if subscription else DigestFrequency.OFF
    # A member without the digest sees what a weekly one would hold.
    kind = DigestFrequency.WEEKLY if frequency == DigestFrequency.OFF else frequency
    context = {"digest": preview_next(user=request.user, kind=kind), "frequency": frequency}
    return render(request, "digest/digest_preview.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """Stop the digest, or only one followed item, for the member the token names."""
    try:
        unsubscribe = preferences.unsubscribe_request(token)
    except preferences.BadUnsubscribeToken:
        context = {"invalid": True}
        return render(request, "digest/unsubscribe.html", context, status=400)
    if unsubscribe is None:
        raise Http404(_("No such page."))
    context = {"unsubscribe": unsubscribe}
    if request.method == "POST":
        item = unsubscribe.item if request.POST.get("scope") == "item" else ""
        context["done"] = preferences.digest_unsubscribe(user=unsubscribe.user, item=item)
    return render(request, "digest/unsubscribe.html", context)
