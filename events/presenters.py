"""What an event page shows beside the page: the viewer's application, what they may do,
materials, related case studies and the discussion; and the events of a member's digest."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community import emails
from community.models import DigestFrequency, Thread
from community.permissions import is_organiser, may_write
from digest.content import DigestItem
from knowledgebase.models import CaseStudyPage

from .forms import ApplicationForm, FeedbackForm, ListingForm
from .models import ACTIVE_STATUSES, Application, ApplicationStatus, EventPage, Feedback


def application_of(user, event):
    """Return *user*'s current (else latest) application to *event*, or None."""
    if not user.is_authenticated:
        return None
    applications = Application.objects.filter(event=event, member=user).order_by("-created_at")
    active = [a for a in applications if a.status in ACTIVE_STATUSES]
    return active[0] if active else (applications[0] if applications else None)


def event_context(event, request, *, form=None, feedback_form=None) -> dict:
    user = request.user
    now = timezone.now()
    application = application_of(user, event)
    is_active = application is not None and application.status in ACTIVE_STATUSES
    open_ = event.is_open_for_applications(now)
    participant = application is not None and application.status == ApplicationStatus.ACCEPTED
    gave_feedback = participant and Feedback.objects.filter(event=event, member=user).exists()
    return {
        "application": application,
        "can_apply": open_ and may_write(user) and not is_active,
        "can_cancel": open_ and is_active,
        "applications_open": open_,
        "is_organiser": is_organiser(user),
        "form": form or ApplicationForm(initial={"stakeholder_type": _default_type(user)}),
        "feedback_form": feedback_form or FeedbackForm(),
        "can_give_feedback": participant and event.has_ended(now) and not gave_feedback,
        "gave_feedback": gave_feedback,
        "can_choose_listing": is_active,
        "listing_form": ListingForm(initial={"is_listed": is_active and application.is_listed}),
        "participants": [
            row.member
            for row in Application.objects.participants_visible_to(user, event)
            .select_related("member")
            .order_by("member__display_name", "member__username")
        ],
        "themes": list(event.themes.all()),
        "tags": list(event.tags.all()),
        "documents": list(event.documents.select_related("document")),
        "recordings": list(event.recordings.all()),
        "related_case_studies": list(
            CaseStudyPage.objects.visible_to(user)
            .for_cards()
            .filter(pk__in=event.case_study_links.values("case_study_id"))
        ),
        "discussion": (
            Thread.objects.visible_to(user).filter(pk=event.discussion_id).first()
            if event.discussion_id
            else None
        ),
    }


def _default_type(user):
    if not user.is_authenticated:
        return ""
    from .services import default_stakeholder_type

    return default_stakeholder_type(user)


def digest_events(*, user, kind: str, size: int, now) -> list:
    """Return the upcoming events *user* may see, soonest first, for a weekly digest (one query)."""
    if kind != DigestFrequency.WEEKLY:
        return []
    events = EventPage.objects.visible_to(user).upcoming(now=now).defer_streamfields()[:size]
    return [
        DigestItem(
            title=event.title,
            url=emails.absolute_url(event.get_url() or ""),
            detail=" · ".join(
                [
                    str(event.get_kind_display()),
                    date_format(timezone.localtime(event.start_at, event.zone), "DATETIME_FORMAT"),
                    _("Online") if event.is_online else event.city,
                ]
            ),
        )
        for event in events
    ]
