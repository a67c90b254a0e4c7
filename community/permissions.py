"""Who may see and do what: one rule, one place, used by views, querysets and templates alike.

Every forum and case study has an audience (``Audience``, below; the fields and their constraint
come from ``community.models.audience.AudienceMixin``). ``can_see`` answers for one object;
``audience_q`` expresses the same rule as a query filter for ``visible_to(user)`` queryset
methods, so listings, counts and search never disagree with the detail pages.

A leaf of the app: it imports no model at module level (the models import it), and asks the
database only inside the predicates that need a row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who may see a forum, a case study or an event."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    VERIFIED = "verified", _("Verified practitioners")
    GROUP = "group", _("One working group")


class ProfileVisibility(models.TextChoices):
    """Who may see a profile, or one field of it (see ``can_see_profile_field``)."""

    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    VERIFIED = "verified", _("Verified practitioners")


# The status of a working-group membership that admits to the group (``WorkingGroupMembership``).
MEMBER = "member"


class Role:
    """The names of the groups that carry a role; the groups are made by migrations."""

    EDITORS = "Editors"
    MODERATORS = "Moderators"
    VERIFIERS = "Verifiers"
    ORGANISERS = "Organisers"


def is_verified_practitioner(user) -> bool:
    """Return whether *user* is a practitioner whose verification has not expired today."""
    if not user.is_authenticated:
        return False
    profile = getattr(user, "profile", None)
    return bool(
        profile and profile.verified_until and profile.verified_until >= timezone.localdate()
    )


def working_group_ids(user) -> frozenset[int]:
    """Return the ids of the working groups *user* belongs to, remembered for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_working_group_ids"):
        memberships = user.group_memberships.filter(status=MEMBER)
        user._working_group_ids = frozenset(memberships.values_list("group_id", flat=True))
    return user._working_group_ids


def can_see(user, obj) -> bool:
    """Return whether *user* may see *obj*, anything with ``audience`` and ``group_id``."""
    audience = obj.audience
    if audience == Audience.PUBLIC:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    if audience == Audience.MEMBERS:
        return True
    if audience == Audience.VERIFIED:
        return is_verified_practitioner(user)
    if audience == Audience.GROUP:
        return obj.group_id is not None and obj.group_id in working_group_ids(user)
    return False


def audience_q(user, prefix: str = "") -> Q:
    """Return a filter that keeps what *user* may see; *prefix* leads to the audience fields.

    ``Thread.objects.filter(audience_q(user, "forum__"))`` keeps threads of visible forums.
    """
    public = Q(**{f"{prefix}audience": Audience.PUBLIC})
    if not user.is_authenticated or not user.is_active:
        return public
    if user.is_staff:
        return Q()
    visible = public | Q(**{f"{prefix}audience": Audience.MEMBERS})
    if is_verified_practitioner(user):
        visible |= Q(**{f"{prefix}audience": Audience.VERIFIED})
    group_ids = working_group_ids(user)
    if group_ids:
        visible |= Q(**{f"{prefix}audience": Audience.GROUP, f"{prefix}group_id__in": group_ids})
    return visible


def role_names(user) -> frozenset[str]:
    """Return the names of *user*'s groups (roles), remembered for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


def is_moderator(user) -> bool:
    """Return whether *user* keeps the community safe: staff or the Moderators group."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or Role.MODERATORS in role_names(user)


def is_organiser(user) -> bool:
    """Return whether *user* runs events: staff or the Organisers group (with two-factor)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or Role.ORGANISERS in role_names(user)


def can_see_hidden(user) -> bool:
    """Return whether *user* sees posts and threads hidden by moderation (moderators only)."""
    return is_moderator(user)


def can_verify(user) -> bool:
    """Return whether *user* decides practitioner verifications (the Verifiers' permission)."""
    return user.is_authenticated and user.has_perm("community.change_verificationrequest")


def can_manage_groups(user) -> bool:
    """Return whether *user* accepts or declines requests to join working groups."""
    return user.is_authenticated and (
        user.is_staff or user.has_perm("community.change_workinggroupmembership")
    )


def can_bypass_review(user) -> bool:
    """Return whether *user* may publish outside the review workflow (site administrators only).

    No group permission grants it: a case study goes live through a completed review or by the
    explicit act of a superuser, which ``knowledgebase.review`` records.
    """
    return user.is_authenticated and user.is_active and user.is_superuser


def can_move_restricted_documents(user) -> bool:
    """Return whether *user* may move a document out of a collection with a privacy setting."""
    return user.is_authenticated and user.is_active and user.is_superuser


def has_verified_email(user) -> bool:
    """Return whether *user* is signed in with a verified email address."""
    if not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def must_use_two_factor(user) -> bool:
    """Return whether *user* holds a role that may only be used with two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return not role_names(user).isdisjoint(settings.MFA_REQUIRED_GROUPS)


def profile_field_q(viewer, field: str, prefix: str = "") -> Q:
    """Return a filter keeping profiles whose *field* *viewer* may see (``"profile"``: the page).

    A field is seen by whoever its member chose (public, members, verified) and only where the
    profile itself is seen; members always see their own profile, staff see every profile.
    """
    if viewer.is_authenticated and viewer.is_active and viewer.is_staff:
        return Q()
    levels = [ProfileVisibility.PUBLIC]
    if viewer.is_authenticated and viewer.is_active:
        levels.append(ProfileVisibility.MEMBERS)
        if is_verified_practitioner(viewer):
            levels.append(ProfileVisibility.VERIFIED)
    visible = Q(**{f"{prefix}visibility__profile__in": levels, f"{prefix}user__is_active": True})
    if field != "profile":
        visible &= Q(**{f"{prefix}visibility__{field}__in": levels})
    if viewer.is_authenticated:
        visible |= Q(**{f"{prefix}user": viewer})
    return visible


def can_see_profile_field(viewer, profile, field: str) -> bool:
    """Return whether *viewer* may see *field* of *profile*: ``profile_field_q`` for one profile."""
    if viewer.is_authenticated and (
        viewer.pk == profile.user_id or (viewer.is_active and viewer.is_staff)
    ):
        return True
    if not profile.user.is_active:
        return False
    rank = {
        ProfileVisibility.PUBLIC: 0,
        ProfileVisibility.MEMBERS: 1,
        ProfileVisibility.VERIFIED: 2,
    }
    viewer_rank = 0
    if viewer.is_authenticated and viewer.is_active:
        viewer_rank = 2 if is_verified_practitioner(viewer) else 1
    fields = {"profile", field}
    return all(rank.get(profile.visibility.get(name), 2) <= viewer_rank for name in fields)


# What members may do in the forums: built on can_see, asked by views, services and templates.


def is_suspended(user) -> bool:
    """Return whether *user* is suspended by moderation at this moment."""
    until = getattr(user, "suspended_until", None)
    return until is not None and until > timezone.now()


def may_write(user) -> bool:
    """Return whether *user* may write at all: an active, unsuspended member, verified email."""
    if not user.is_authenticated or not user.is_active or is_suspended(user):
        return False
    # Asked several times per page: remember the answer for the request.
    if not hasattr(user, "_may_write"):
        user._may_write = has_verified_email(user)
    return user._may_write


def can_start_thread(user, forum) -> bool:
    """Return whether *user* may start a thread in *forum*."""
    return may_write(user) and can_see(user, forum)


def can_reply(user, thread) -> bool:
    """Return whether *user* may reply in *thread*: visible and open (staff reply anyway)."""
    return (
        may_write(user) and can_see(user, thread.forum) and (not thread.is_locked or user.is_staff)
    )


def reply_refusal(user, thread) -> str | None:
    """Return why *user* may not reply in *thread*, as the page says it; None if they may.

    One reason per failing part of ``can_reply``, asked in the same order.
    """
    if can_reply(user, thread):
        return None
    if not user.is_authenticated or not user.is_active:
        return _("Sign in to reply.")
    if is_suspended(user):
        return _("Your account is suspended: you cannot reply until the suspension ends.")
    if not may_write(user):
        return _("Confirm your email address to take part in discussions.")
    if not can_see(user, thread.forum):
        return _("You cannot reply in this thread.")
    return _("This thread is locked: it takes no new replies.")


def can_edit_post(user, post) -> bool:
    """Return whether *user* may edit *post*: their own, not deleted, in a thread they may see."""
    return (
        may_write(user)
        and not post.is_deleted
        and (post.author_id == user.pk or user.is_staff)
        and can_see(user, post.thread.forum)
    )


def can_delete_post(user, post) -> bool:
    """Return whether *user* may delete *post* (the same people who may edit it)."""
    return can_edit_post(user, post)


def can_react(user, post) -> bool:
    """Return whether *user* may mark *post* helpful: someone else's visible, undeleted post."""
    return (
        may_write(user)
        and not post.is_deleted
        and post.author_id != user.pk
        and can_see(user, post.thread.forum)
    )


def can_follow(user, forum) -> bool:
    """Return whether *user* may follow a thread, forum or tag in *forum*."""
    return user.is_authenticated and can_see(user, forum)


# Moderation: flags by members, decisions by moderators, appeals decided by another moderator.


def can_flag(user, post) -> bool:
    """Return whether *user* may flag *post*: someone else's visible, undeleted post."""
    return (
        may_write(user)
        and not post.is_deleted
        and post.author_id != user.pk
        and can_see(user, post.thread.forum)
    )


def can_propose_case_study(user, thread) -> bool:
    """Return whether *user* may turn *thread* into a draft case study: moderators who see it."""
    return is_moderator(user) and not thread.case_study_id and can_see(user, thread.forum)


def has_public_feed(forum) -> bool:
    """Return whether *forum* has an Atom feed: only forums everyone may read have one."""
    return forum.audience == Audience.PUBLIC


def can_moderate_post(user, post) -> bool:
    """Return whether *user* may act on *post* as a moderator (deleted posts: nothing to do)."""
    return is_moderator(user) and not post.is_deleted


def can_see_decision(user, action) -> bool:
    """Return whether *user* may read a moderation decision: the member concerned, moderators,
    and the referees who decide appeals where no other moderator can."""
    return user.is_authenticated and (
        action.member_id == user.pk or is_moderator(user) or can_referee_appeals(user)
    )


def can_appeal(user, action) -> bool:
    """Return whether *user* may appeal *action*: theirs, appealable, not appealed before."""
    if not user.is_authenticated or action.member_id != user.pk or not action.is_appealable:
        return False
    Appeal = action._meta.get_field("appeal_made").related_model
    return not Appeal.objects.filter(action=action).exists()


def can_referee_appeals(user) -> bool:
    """Return whether *user* decides appeals no other moderator can: site administrators, and
    editors given ``community.decide_appeal`` (the Editors group has it; see the Appeal model).
    """
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("community.decide_appeal"))
    )


def can_decide_appeal(user, appeal, *, has_other_moderator: bool = True) -> bool:
    """Return whether *user* decides *appeal*: a moderator other than the one who acted, or,
    where there is no other moderator (*has_other_moderator*), a referee
    (``can_referee_appeals``). Nobody decides an appeal about their own decision or their own post.
    """
    if appeal.status != appeal.Status.PENDING or not user.is_authenticated:
        return False
    if user.pk in {appeal.action.moderator_id, appeal.appellant_id}:
        return False
    return is_moderator(user) or (not has_other_moderator and can_referee_appeals(user))
