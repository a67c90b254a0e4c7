"""Writes of events: applications, decisions, cancellations, reminders, feedback, retention.

Each service is keyword-only and atomic. Capacity holds under concurrency: every write that
may fill a seat locks the event's row first (``select_for_update``), so two members applying
at once to the last seat are served one after the other.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community import emails
from community.models import Profile, StakeholderType, Thread, User
from community.services import thread_create, thread_move
from knowledgebase.services import discussion_fits, discussion_forum_for

from .ics import calendar_bytes
from .models import (
    ACTIVE_STATUSES,
    Application,
    ApplicationStatus,
    CalendarToken,
    EventPage,
    Feedback,
    RegistrationMode,
)

Status = ApplicationStatus


class ApplicationRefused(Exception):
    """Why a member may not apply or cancel, as the page says it."""


def _lock(event: EventPage) -> EventPage:
    return EventPage.objects.select_for_update().get(pk=event.pk)


def _accepted_count(event) -> int:
    return Application.objects.filter(event=event, status=Status.ACCEPTED).count()


def _next_position(event) -> int:
    top = Application.objects.filter(event=event, status=Status.WAITLISTED).aggregate(
        top=Max("waitlist_position")
    )["top"]
    return (top or 0) + 1


def default_stakeholder_type(member) -> str:
    profile = Profile.objects.filter(user=member).only("stakeholder_type").first()
    return (profile and profile.stakeholder_type) or StakeholderType.CITIZEN


@transaction.atomic
def application_create(
    *,
    event: EventPage,
    member: User,
    motivation: str,
    stakeholder_type: str,
    is_listed: bool = False,
    now=None,
) -> Application:
    """Apply *member* to *event*; open events accept at once up to capacity, then waitlist.

    Raises ApplicationRefused after the deadline, for a second active application, or for an
    event whose applications are decided by the organiser when it is full (waitlisted then).
    The caller checks that *member* may see *event* (404 otherwise).
    """
    now = now or timezone.now()
    event = _lock(event)
    if not event.is_open_for_applications(now):
        raise ApplicationRefused(
            _("Applications for this event closed on %(date)s.")
            % {"date": timezone.localtime(event.application_deadline).strftime("%d %B %Y %H:%M")}
        )
    if Application.objects.filter(event=event, member=member, status__in=ACTIVE_STATUSES).exists():
        raise ApplicationRefused(_("You have applied to this event already."))
    status, position = Status.APPLIED, None
    if event.registration_mode == RegistrationMode.OPEN:
        if _accepted_count(event) < event.capacity:
            status = Status.ACCEPTED
        else:
            status, position = Status.WAITLISTED, _next_position(event)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                event=event,
                member=member,
                motivation=motivation,
                stakeholder_type=stakeholder_type,
                status=status,
                waitlist_position=position,
                is_listed=is_listed,
                decided_at=now if status != Status.APPLIED else None,
                created_at=now,
            )
    except IntegrityError as error:
        raise ApplicationRefused(_("You have applied to this event already.")) from error
    _tell(application)
    return application


def _tell(application: Application) -> None:
    """Queue the email that tells the member where their application stands now."""
    emails.queue(
        "event_application",
        key=f"event_application:{application.pk}:{application.status}:{application.updated_at.isoformat()}",
        application_id=application.pk,
        status=application.status,
    )


@transaction.atomic
def application_decide(
    *, application: Application, organiser: User, status: str, message: str = "", now=None
) -> Application:
    """Accept, waitlist or decline *application* with *message* (organisers only).

    Accepting beyond capacity is refused; the caller checks that *organiser* is one.
    """
    if status not in {Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED}:
        raise ApplicationRefused(_("Choose accept, waiting list or decline."))
    event = _lock(application.event)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in ACTIVE_STATUSES:
        raise ApplicationRefused(_("This application was cancelled or declined already."))
    if application.status == status:
        return application
    if status == Status.ACCEPTED and _accepted_count(event) >= event.capacity:
        raise ApplicationRefused(
            _("The event is full (%(capacity)s places): waitlist the application instead.")
            % {"capacity": event.capacity}
        )
    was_accepted = application.status == Status.ACCEPTED
    application.status = status
    application.message = message
    application.decided_by = organiser
    application.decided_at = now or timezone.now()
    application.waitlist_position = _next_position(event) if status == Status.WAITLISTED else None
    application.save()
    _tell(application)
    if was_accepted:
        _move_up(event)
    return application


@transaction.atomic
def application_cancel(*, application: Application, member: User, now=None) -> Application:
    """Cancel *member*'s own application until the deadline; the waiting list moves up."""
    now = now or timezone.now()
    event = _lock(application.event)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.member_id != member.pk or application.status not in ACTIVE_STATUSES:
        raise ApplicationRefused(_("You have no application to cancel for this event."))
    if not event.is_open_for_applications(now):
        raise ApplicationRefused(
            _("The cancellation deadline has passed: please write to the organiser.")
        )
    was_accepted = application.status == Status.ACCEPTED
    application.status = Status.CANCELLED
    application.waitlist_position = None
    application.save()
    if was_accepted:
        _move_up(event)
    return application


def application_listing_set(
    *, application: Application | None, member: User, is_listed: bool
) -> None:
    """Show or hide *member*'s name to the other accepted participants of the event."""
    if (
        application is None
        or application.member_id != member.pk
        or application.status not in ACTIVE_STATUSES
    ):
        raise ApplicationRefused(_("You have no application to this event."))
    Application.objects.filter(pk=application.pk).update(is_listed=is_listed)


def _move_up(event: EventPage) -> None:
    """Give the seats that are free to the first on the waiting list (the event row is locked)."""
    free = event.capacity - _accepted_count(event)
    waiting = Application.objects.filter(event=event, status=Status.WAITLISTED).order_by(
        "waitlist_position", "created_at", "pk"
    )
    for application in waiting[: max(free, 0)]:
        application.status = Status.ACCEPTED
        application.waitlist_position = None
        application.decided_at = timezone.now()
        application.save()
        _tell(application)


def stakeholder_mix(event: EventPage) -> list[dict]:
    """Return, per stakeholder type, how many applied and how many are accepted."""
    rows = {
        value: {"label": label, "active": 0, "accepted": 0}
        for value, label in StakeholderType.choices
    }
    for type_, status in Application.objects.filter(
        event=event, status__in=ACTIVE_STATUSES
    ).values_list("stakeholder_type", "status"):
        row = rows.setdefault(type_, {"label": type_, "active": 0, "accepted": 0})
        row["active"] += 1
        row["accepted"] += status == Status.ACCEPTED
    return [row for row in rows.values() if row["active"]]


def applications_waiting(user):
    """Return the applications to upcoming events *user* may see that wait for a decision."""
    events = EventPage.objects.visible_to(user).upcoming()
    return Application.objects.filter(
        status=Status.APPLIED, event__in=events.order_by().values("pk")
    )


# Reminders: a week and a day before, each once (the ledger key names the event and the day).

REMINDERS = {"week": datetime.timedelta(days=7), "day": datetime.timedelta(days=1)}


def reminders_queue(*, now=None) -> int:
    """Queue the reminders due now to accepted participants; return how many were queued.

    Run hourly: an event starting within the next week (or day) gets its "week" (or "day")
    reminder, once per participant whatever reruns, since the email key names both.
    """
    now = now or timezone.now()
    count = 0
    for which, ahead in REMINDERS.items():
        events = EventPage.objects.live().filter(start_at__gt=now, start_at__lte=now + ahead)
        rows = Application.objects.filter(event__in=events, status=Status.ACCEPTED).values_list(
            "pk", "event_id", "member_id"
        )
        with transaction.atomic():
            for pk, event_id, member_id in rows:
                emails.queue(
                    "event_reminder",
                    key=f"event_reminder:{event_id}:{member_id}:{which}",
                    application_id=pk,
                    which=which,
                )
                count += 1
    return count


def declined_applications_erase(*, now=None) -> int:
    """Erase declined applications older than ``EVENT_DECLINED_RETENTION_DAYS``."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.EVENT_DECLINED_RETENTION_DAYS
    )
    return Application.objects.filter(status=Status.DECLINED, updated_at__lt=cutoff).delete()[0]


def event_discussion_sync(*, page: EventPage, author) -> Thread | None:
    """Start *page*'s discussion in a forum with its audience, or move it there; return it.

    Like a case study's (``knowledgebase.services``): the forum is chosen by
    ``discussion_forum_for``; an event whose audience has no forum gets no discussion yet.
    """
    with transaction.atomic():
        page = EventPage.objects.select_for_update().get(pk=page.pk)
        forum = discussion_forum_for(page)
        thread = Thread.objects.filter(pk=page.discussion_id).select_related("forum").first()
        if thread is not None:
            if forum is not None and not discussion_fits(thread.forum, page):
                thread_move(thread=thread, forum=forum)
            return thread
        if forum is None or author is None:
            return None
        thread = thread_create(
            author=author,
            forum=forum,
            title=page.title[:200],
            body=_("This thread discusses the event **[%(title)s](%(url)s)**.\n\n> %(summary)s")
            % {"title": page.title, "url": page.url or "", "summary": page.summary},
            tags=[tag.name for tag in page.tags.all()],
        )
        EventPage.objects.filter(pk=page.pk).update(discussion=thread)
        return thread


def retention_period() -> dict:
    """Return the privacy notice's row for declined applications."""
    return {
        "what": _("Declined applications to events"),
        "days": settings.EVENT_DECLINED_RETENTION_DAYS,
    }


def feedback_give(*, event: EventPage, member: User, rating: int, comment: str) -> Feedback:
    """Record *member*'s feedback on *event* (accepted participants, after it ended)."""
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                event=event, member=member, rating=rating, comment=comment
            )
    except IntegrityError as error:
        raise ApplicationRefused(_("You gave your feedback on this event already.")) from error


def calendar_token_renew(*, member: User) -> CalendarToken:
    """Give *member* a new private calendar address; the old one stops working."""
    token, _created = CalendarToken.objects.get_or_create(member=member)
    if not _created:
        from .models import new_token

        token.token = new_token()
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


def member_applications(user) -> list[dict]:
    """Return *user*'s applications for their data export (no other member is named)."""
    return list(
        Application.objects.filter(member=user).values(
            "event__title",
            "status",
            "motivation",
            "stakeholder_type",
            "is_listed",
            "message",
            "created_at",
            "decided_at",
        )
    )


# Emails, built when the send_email task runs.


def _with_ics(message, event):
    message.attach(
        f"{event.slug}.ics",
        calendar_bytes([event], name=event.title, method="PUBLISH"),
        "text/calendar",
    )
    return message


@emails.builder("event_application")
def application_email(*, application_id: int, status: str):
    """Tell a member where their application stands; the accepted get an .ics file."""
    application = (
        Application.objects.select_related("event", "member").filter(pk=application_id).first()
    )
    if application is None or application.status != status or not application.member.is_active:
        return None
    event = application.event
    subjects = {
        Status.APPLIED: _("Your application to %(title)s"),
        Status.ACCEPTED: _("You are in: %(title)s"),
        Status.WAITLISTED: _("On the waiting list: %(title)s"),
        Status.DECLINED: _("Your application to %(title)s"),
    }
    if status not in subjects:
        return None
    message = emails.build(
        template="event_application",
        to=application.member.email,
        subject=subjects[status] % {"title": event.title},
        context={
            "application": application,
            "event": event,
            "member": application.member,
            "event_url": emails.absolute_url(event.url or ""),
        },
    )
    return _with_ics(message, event) if status == Status.ACCEPTED else message


@emails.builder("event_reminder")
def reminder_email(*, application_id: int, which: str):
    """Remind an accepted participant of the event, a week or a day before, with an .ics."""
    application = (
        Application.objects.select_related("event", "member").filter(pk=application_id).first()
    )
    if application is None or application.status != Status.ACCEPTED:
        return None
    if not application.member.is_active:
        return None
    event = application.event
    # The member's language: the portal has one (settings.LANGUAGES) until members choose theirs.
    with translation.override(settings.LANGUAGE_CODE):
        subject = (_("In a week: %(title)s") if which == "week" else _("Tomorrow: %(title)s")) % {
            "title": event.title
        }
        message = emails.build(
            template="event_reminder",
            to=application.member.email,
            subject=subject,
            context={
                "event": event,
                "member": application.member,
                "which": which,
                "event_url": emails.absolute_url(event.url or ""),
            },
        )
    return _with_ics(message, event)
