"""Pages of events outside the page tree: applying, cancelling, feedback, the organisers' queue
and the calendar feeds. The listing and event pages are Wagtail pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.permissions import is_organiser, may_write

from . import services
from .forms import ApplicationForm, DecisionForm, FeedbackForm, ListingForm
from .ics import calendar_bytes
from .models import Application, CalendarToken, EventPage
from .presenters import application_of, event_context


def _visible_event(request, page_id) -> EventPage:
    return get_object_or_404(EventPage.objects.visible_to(request.user), pk=page_id)


def _page_again(request, event, *, status=400, **forms):
    """Render the event page again with the forms as typed, their errors shown."""
    context = {**event.get_context(request), **forms}
    return TemplateResponse(request, event.get_template(request), context, status=status)


@login_required
@require_POST
def application_create(request, page_id):
    event = _visible_event(request, page_id)
    form = ApplicationForm(request.POST)
    if not may_write(request.user):
        form.add_error(None, _("Confirm your email address to apply."))
    if form.errors or not form.is_valid():
        return _page_again(request, event, form=form)
    try:
        application = services.application_create(
            event=event, member=request.user, **form.cleaned_data
        )
    except services.ApplicationRefused as refusal:
        form.add_error(None, str(refusal))
        return _page_again(request, event, form=form)
    messages.success(
        request,
        _("Thank you: your application is %(status)s.")
        % {"status": application.get_status_display().lower()},
    )
    return redirect(event.url)


@login_required
@require_POST
def application_cancel(request, page_id):
    event = _visible_event(request, page_id)
    application = application_of(request.user, event)
    try:
        if application is None:
            raise services.ApplicationRefused(
                _("You have no application to cancel for this event.")
            )
        services.application_cancel(application=application, member=request.user)
    except services.ApplicationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your application is cancelled."))
    return redirect(event.url)


@login_required
@require_POST
def participant_listing(request, page_id):
    event = _visible_event(request, page_id)
    form = ListingForm(request.POST)
    form.is_valid()  # an unchecked box is "no": the form has no way to be invalid
    try:
        services.application_listing_set(
            application=application_of(request.user, event),
            member=request.user,
            is_listed=form.cleaned_data.get("is_listed", False),
        )
    except services.ApplicationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your choice is saved."))
    return redirect(event.url)


@login_required
@require_POST
def feedback_create(request, page_id):
    event = _visible_event(request, page_id)
    if not event_context(event, request)["can_give_feedback"]:
        messages.error(request, _("Only participants give feedback, once, after the event."))
        return redirect(event.url)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _page_again(request, event, feedback_form=form)
    services.feedback_give(event=event, member=request.user, **form.cleaned_data)
    messages.success(request, _("Thank you for your feedback."))
    return redirect(event.url)


def _organiser_or_404(request):
    if not is_organiser(request.user):
        raise Http404


@login_required
def organise_list(request):
    _organiser_or_404(request)
    events = EventPage.objects.visible_to(request.user).upcoming().defer_streamfields()
    return render(request, "events/organise_list.html", {"events": events})


@login_required
def organise_event(request, page_id):
    _organiser_or_404(request)
    event = _visible_event(request, page_id)
    applications = event.applications.select_related("member", "decided_by").order_by(
        "status", "waitlist_position", "created_at"
    )
    context = {
        "event": event,
        "applications": applications,
        "mix": services.stakeholder_mix(event),
        "form": DecisionForm(),
        "feedback": event.feedback.order_by("-created_at").values("rating", "comment"),
    }
    return render(request, "events/organise_event.html", context)


@login_required
@require_POST
def application_decide(request, application_id):
    _organiser_or_404(request)
    application = get_object_or_404(Application, pk=application_id)
    event = _visible_event(request, application.event_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, waiting list or decline."))
        return redirect("events:organise_event", page_id=event.pk)
    try:
        services.application_decide(
            application=application, organiser=request.user, **form.cleaned_data
        )
    except services.ApplicationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Decision saved; the member is told by email."))
    return redirect("events:organise_event", page_id=event.pk)


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def public_calendar(request):
    events = EventPage.objects.public_only().upcoming().defer_streamfields()
    return _ics(calendar_bytes(events, name=_("MEDI@4SEC events")))


def private_calendar(request, token):
    """The upcoming events a member is accepted to; the token in the address is the key."""
    calendar = get_object_or_404(
        CalendarToken.objects.select_related("member"), token=token, member__is_active=True
    )
    member = calendar.member
    accepted = Application.objects.filter(member=member, status=Application.Status.ACCEPTED)
    events = (
        EventPage.objects.visible_to(member)
        .upcoming()
        .filter(pk__in=accepted.values("event_id"))
        .defer_streamfields()
    )
    response = _ics(calendar_bytes(events, name=_("My MEDI@4SEC events")))
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def calendar_settings(request):
    if request.method == "POST":
        services.calendar_token_renew(member=request.user)
        messages.success(
            request, _("Your calendar has a new address; the old one stopped working.")
        )
        return redirect("events:calendar_settings")
    token = CalendarToken.objects.filter(member=request.user).first()
    url = request.build_absolute_uri(f"/events/feeds/{token.token}.ics") if token else ""
    return render(request, "events/calendar_settings.html", {"calendar_url": url})
