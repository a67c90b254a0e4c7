"""Writes about members: profiles, practitioner verification and working groups.

Every decision about a practitioner status writes a VerificationDecision row and emails the
member once the transaction is committed. The status itself is ``Profile.verified_until``,
which the access rule reads on every request: clearing it ends verified access at once.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails, markdown
from ..models import (
    Profile,
    User,
    VerificationDecision,
    VerificationDomain,
    VerificationReminder,
    VerificationRequest,
    WorkingGroup,
    WorkingGroupMembership,
)
from .forums import forum_pages_invalidate

VERIFICATION_SALT = "community.verification.confirm"


def profile_get_or_create(*, user: User) -> Profile:
    """Return the stakeholder profile of *user*, creating an empty one on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    expertise: list[str] | None = None,
    avatar=None,
    remove_avatar: bool = False,
    **fields,
) -> Profile:
    """Save *user*'s display name and profile *fields* together.

    The bio is rendered to sanitised HTML here, once; *avatar* is an already re-encoded image
    (``forms.avatar_from_upload``). A replaced or removed avatar file is deleted after commit.
    """
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    profile = profile_get_or_create(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    if "bio_markdown" in fields:
        profile.bio_html = (
            markdown.render(profile.bio_markdown).html if profile.bio_markdown else ""
        )
    old_avatar = profile.avatar.name
    if avatar is not None:
        profile.avatar.save(avatar.name, avatar, save=False)
    elif remove_avatar:
        profile.avatar = ""
    profile.save()
    if expertise is not None:
        profile.expertise.set(expertise)
    if old_avatar and old_avatar != profile.avatar.name:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    # Cached visitor pages show the member's name and link to the profile, from posts and mentions.
    forum_pages_invalidate()
    return profile


class VerificationError(Exception):
    """A verification step that cannot happen in the state the request is in."""


def verification_confirm_token(*, request: VerificationRequest) -> str:
    """Return the signed token of the link that confirms *request*'s official address."""
    return signing.dumps(
        {"request": request.pk, "email": request.official_email}, salt=VERIFICATION_SALT
    )


def verification_request_from_token(token: str) -> VerificationRequest | None:
    """Return the unconfirmed request *token* confirms, or None if it is invalid or expired."""
    try:
        data = signing.loads(
            token, salt=VERIFICATION_SALT, max_age=settings.VERIFICATION_CONFIRM_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return (
        VerificationRequest.objects.filter(
            pk=data.get("request"),
            official_email=data.get("email"),
            status=VerificationRequest.Status.UNCONFIRMED,
        )
        .select_related("user")
        .first()
    )


def verification_default_until(*, user: User) -> datetime.date:
    """Return the default expiry of a new verification: a full period from today or renewal."""
    start = timezone.localdate()
    current = Profile.objects.filter(user=user).values_list("verified_until", flat=True).first()
    if current and current > start:
        start = current
    return start + datetime.timedelta(days=settings.VERIFICATION_VALIDITY_DAYS)


@transaction.atomic
def verification_request_create(
    *,
    user: User,
    organisation: str,
    role: str,
    official_email: str,
    note: str = "",
    referee: User | None = None,
) -> VerificationRequest:
    """Record *user*'s request and send the confirmation link to the official address."""
    try:
        with transaction.atomic():
            request = VerificationRequest.objects.create(
                user=user,
                organisation=organisation,
                role=role,
                official_email=official_email,
                note=note,
                referee=referee,
            )
    except IntegrityError:
        raise VerificationError(_("You already have a verification request open.")) from None
    emails.queue("verification_confirm", request_id=request.pk)
    return request


@transaction.atomic
def verification_request_confirm(*, request: VerificationRequest) -> VerificationRequest:
    """Confirm the official address; an allow-listed domain approves the request at once."""
    request = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != VerificationRequest.Status.UNCONFIRMED:
        return request
    request.status = VerificationRequest.Status.PENDING
    request.email_confirmed_at = timezone.now()
    request.save(update_fields=["status", "email_confirmed_at"])
    domain = VerificationDomain.objects.matching(request.email_domain)
    if domain is not None:
        _verification_approve(
            request=request,
            decided_by=None,
            until=verification_default_until(user=request.user),
            action=VerificationDecision.Action.AUTO_APPROVED,
            reason=_("The official address %(email)s is at the allow-listed domain %(domain)s.")
            % {"email": request.official_email, "domain": domain.domain},
        )
    return request


@transaction.atomic
def verification_approve(
    *, verifier: User, request: VerificationRequest, until: datetime.date, reason: str = ""
) -> VerificationDecision:
    """Approve a confirmed request: the member is a verified practitioner until *until*."""
    request = _verification_request_to_decide(verifier=verifier, request=request)
    return _verification_approve(
        request=request,
        decided_by=verifier,
        until=until,
        action=VerificationDecision.Action.APPROVED,
        reason=reason,
    )


@transaction.atomic
def verification_reject(
    *, verifier: User, request: VerificationRequest, reason: str
) -> VerificationDecision:
    """Reject a confirmed request with a *reason* the member is told."""
    request = _verification_request_to_decide(verifier=verifier, request=request)
    request.status = VerificationRequest.Status.REJECTED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    return _verification_decision_log(
        user=request.user,
        request=request,
        decided_by=verifier,
        action=VerificationDecision.Action.REJECTED,
        reason=reason,
    )


@transaction.atomic
def verification_revoke(*, verifier: User, user: User, reason: str) -> VerificationDecision:
    """End *user*'s verification now: verified spaces close on their next request."""
    if verifier.pk == user.pk:
        raise VerificationError(_("Another verifier decides about your own verification."))
    updated = Profile.objects.filter(user=user, verified_until__isnull=False).update(
        verified_until=None
    )
    if not updated:
        raise VerificationError(_("This member is not verified: there is nothing to revoke."))
    return _verification_decision_log(
        user=user,
        request=None,
        decided_by=verifier,
        action=VerificationDecision.Action.REVOKED,
        reason=reason,
    )


def verification_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind members whose verification expires soon, once per stage; return how many.

    A run on a late day still sends the nearest stage, never both: a member 6 days before
    expiry whose 30-day reminder was missed gets the 7-day one only.
    """
    today = today or timezone.localdate()
    stages = sorted(settings.VERIFICATION_REMINDER_DAYS)
    horizon = today + datetime.timedelta(days=stages[-1])
    expiring = Profile.objects.filter(
        verified_until__gte=today, verified_until__lte=horizon, user__is_active=True
    ).select_related("user")
    sent = 0
    for profile in expiring:
        days_left = (profile.verified_until - today).days
        stage = next(days for days in stages if days_left <= days)
        with transaction.atomic():
            reminder, created = VerificationReminder.objects.get_or_create(
                user=profile.user, verified_until=profile.verified_until, days_before=stage
            )
            if created:
                emails.queue("verification_reminder", reminder_id=reminder.pk)
                sent += 1
    return sent


def _verification_request_to_decide(*, verifier: User, request: VerificationRequest):
    request = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    if request.user_id == verifier.pk:
        raise VerificationError(_("Another verifier decides about your own request."))
    if request.status != VerificationRequest.Status.PENDING:
        raise VerificationError(_("This request is not waiting for a decision any more."))
    return request


def _verification_approve(*, request, decided_by, until, action, reason) -> VerificationDecision:
    request.status = VerificationRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    profile = profile_get_or_create(user=request.user)
    profile.verified_until = until
    profile.organisation, profile.role = request.organisation, request.role
    profile.save(update_fields=["verified_until", "organisation", "role", "updated_at"])
    return _verification_decision_log(
        user=request.user,
        request=request,
        decided_by=decided_by,
        action=action,
        reason=reason,
        verified_until=until,
    )


def _verification_decision_log(**fields) -> VerificationDecision:
    decision = VerificationDecision.objects.create(**fields)
    emails.queue("verification_decision", decision_id=decision.pk)
    forum_pages_invalidate()
    return decision


# Working groups: members ask to join, a group manager or staff decides.


class MembershipError(Exception):
    """A working-group step that cannot happen in the current state."""


@transaction.atomic
def group_join_request(*, user: User, group: WorkingGroup) -> WorkingGroupMembership:
    """Ask to join *group*; asking twice changes nothing."""
    if not group.is_open_to_requests:
        raise MembershipError(_("This working group does not take requests to join."))
    membership, _created = WorkingGroupMembership.objects.get_or_create(group=group, user=user)
    return membership


@transaction.atomic
def group_membership_decide(
    *, manager: User, membership: WorkingGroupMembership, approve: bool
) -> WorkingGroupMembership | None:
    """Accept a request to join (the member is in) or decline it (the request goes)."""
    membership = WorkingGroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != WorkingGroupMembership.Status.REQUESTED:
        raise MembershipError(_("This request was decided already."))
    user, group, membership_id = membership.user, membership.group, membership.pk
    if approve:
        membership.status = WorkingGroupMembership.Status.MEMBER
        membership.decided_at = timezone.now()
        membership.save(update_fields=["status", "decided_at"])
    else:
        membership.delete()
    emails.queue(
        "group_decision",
        key=f"group_decision:membership={membership_id}",
        user_id=user.pk,
        group_id=group.pk,
        approved=approve,
    )
    forum_pages_invalidate()
    return membership if approve else None


# Emails the services above queue, built when they are sent.


@emails.builder("verification_confirm")
def verification_confirmation(*, request_id: int):
    """Build the link that confirms the official address of a verification request."""
    request = (
        VerificationRequest.objects.select_related("user")
        .filter(pk=request_id, status=VerificationRequest.Status.UNCONFIRMED)
        .first()
    )
    if request is None:
        return None  # confirmed (or withdrawn) in the meantime
    token = verification_confirm_token(request=request)
    return emails.build(
        template="verification_confirm",
        to=request.official_email,
        subject=_("Confirm your official email address"),
        context={
            "request": request,
            "member": request.user,
            "confirm_url": emails.absolute_url(
                reverse("community:verification_confirm", args=[token])
            ),
            "valid_hours": settings.VERIFICATION_CONFIRM_MAX_AGE // 3600,
        },
    )


@emails.builder("verification_decision")
def verification_decision(*, decision_id: int):
    """Tell the member what was decided about their practitioner status, and why."""
    decision = VerificationDecision.objects.select_related("user").filter(pk=decision_id).first()
    if decision is None:
        return None
    return emails.build(
        template="verification_decision",
        to=decision.user.email,
        subject=_("Your practitioner verification: %(action)s")
        % {"action": decision.get_action_display().lower()},
        context={
            "decision": decision,
            "member": decision.user,
            "settings_url": emails.absolute_url(reverse("community:verification_settings")),
        },
    )


@emails.builder("verification_reminder")
def verification_reminder(*, reminder_id: int):
    """Remind a member that their verification ends soon, with the renewal link."""
    reminder = VerificationReminder.objects.select_related("user").filter(pk=reminder_id).first()
    if reminder is None or not reminder.user.is_active:
        return None
    current = Profile.objects.filter(user=reminder.user_id).values_list("verified_until", flat=True)
    if current.first() != reminder.verified_until:
        return None  # renewed or revoked since the reminder was due
    return emails.build(
        template="verification_reminder",
        to=reminder.user.email,
        subject=_("Your practitioner verification ends in %(days)d days")
        % {"days": reminder.days_before},
        context={
            "member": reminder.user,
            "verified_until": reminder.verified_until,
            "days": reminder.days_before,
            "renew_url": emails.absolute_url(
                f"{reverse('community:verification_settings')}?renew=1"
            ),
        },
    )


@emails.builder("group_decision")
def group_decision(*, user_id: int, group_id: int, approved: bool):
    """Tell a member whether they were let into a working group."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    group = WorkingGroup.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return None
    return emails.build(
        template="group_decision",
        to=user.email,
        subject=(_("You joined %(group)s") if approved else _("Your request to join %(group)s"))
        % {"group": group.name},
        context={
            "member": user,
            "group": group,
            "approved": approved,
            "group_url": emails.absolute_url(reverse("community:group_detail", args=[group.slug])),
        },
    )
