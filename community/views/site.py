"""The site itself: account settings, robots.txt, health checks and the error pages."""

import contextlib
import functools
import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from medi4sec import outages

from .. import outbox
from ..forms import (
    DisplayNameForm,
    ProfileForm,
)
from ..limits import LimitExceeded
from ..services import profile_get_or_create, profile_update


@login_required
def account_settings(request):
    """Show the member's account and let them edit their stakeholder profile."""
    profile = profile_get_or_create(user=request.user)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    name_form = DisplayNameForm(data, instance=request.user, prefix="user")
    profile_form = ProfileForm(data, files, instance=profile, prefix="profile")
    if request.method == "POST" and name_form.is_valid() and profile_form.is_valid():
        profile_update(
            user=request.user,
            display_name=name_form.cleaned_data["display_name"],
            **profile_form.profile_changes(),
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("community:settings")
    context = {"name_form": name_form, "profile_form": profile_form, "profile": profile}
    return render(request, "community/settings.html", context)


@require_GET
def robots_txt(request):
    """Tell crawlers what not to index: accounts, admin and personal pages."""
    return render(request, "robots.txt", content_type="text/plain")


@never_cache
def healthz(request):
    """Answer as long as the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok"})


def _timed(name, check):
    """Run *check* for the dependency *name*: whether it answered, and how fast; never why not.

    Why not goes to the log, once per outage (``medi4sec.outages``): exception names and
    messages (hosts, ports, users) are for operators, and this answer is public.
    """
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        outages.report_down(name, error)
        return {"ok": False}
    outages.report_up(name)
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _quiet(response):
    """Keep Django from logging *response*, an expected 503, as an ERROR (already logged once).

    ``django.utils.log.log_response`` skips a response marked as logged.
    """
    response._has_been_logged = True
    return response


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker():
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


@never_cache
def readyz(request):
    """Report whether the database, the cache and the broker answer, with timings; 503 if not.

    Anyone may ask, so the answer says which dependency is down and nothing about why.
    """
    checks = {
        "database": _timed("database", _check_database),
        "cache": _timed("cache", _check_cache),
    }
    if settings.REDIS_URL:
        checks["broker"] = _timed("broker", _check_broker)
    ready = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    if checks["database"]["ok"]:
        # For monitoring, not readiness: how many tasks wait for the broker (a count, no names).
        with contextlib.suppress(DatabaseError):
            body["outbox_pending"] = outbox.pending_count()
    response = JsonResponse(body, status=200 if ready else 503)
    return response if ready else _quiet(response)


def _error_page(request, template_name, status):
    return render(request, template_name, status=status)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def too_many_requests(request, exception=None, *, back_url=None, kept_text=""):
    """Say that the visitor tried too often; with a ``LimitExceeded``, say which limit and when.

    *kept_text* is what the visitor typed (a flag's note, say): shown again, so nothing is lost.
    """
    if not isinstance(exception, LimitExceeded):
        return _error_page(request, "429.html", 429)
    context = {
        "back_url": back_url,
        "kept_text": kept_text,
        "message": exception.message,
        "wait": exception.wait(),
        "retry_after": exception.retry_after,
        "retry_after_minutes": exception.retry_after_minutes,
    }
    return with_retry_after(render(request, "429.html", context, status=429), exception)


def with_retry_after(response, refusal):
    """Return *response* with a Retry-After header when *refusal* (a ``LimitExceeded``) is set."""
    if refusal is not None:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def csrf_failure(request, reason=""):
    return _error_page(request, "403_csrf.html", 403)


def server_error(request):
    """Render the 500 page without request context: the failure may lie in the database.

    A database that cannot be reached is an outage, not a bug: answer 503 with Retry-After, and
    log it once per outage (at WARNING) rather than once per request with a traceback.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        if not outages.is_database_unreachable(error):
            return response  # a deadlock or a timeout: Django logs it as the error it is
        outages.report_down("database", error, consequence="pages answer 503")
        return _quiet(response)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


class PastLastPage(Http404):
    """A page number past the end of a listing; views wrapped in ``to_last_page`` redirect."""

    def __init__(self, last):
        super().__init__(_("No such page."))
        self.last = last


def page_url(request, number):
    """Return the current address with page *number* (no ``page`` for the first)."""
    query = request.GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def to_last_page(view):
    """Redirect a listing asked for a page past its end (filters narrowed it) to its last page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PastLastPage as past:
            return redirect(page_url(request, past.last))

    return wrapped
