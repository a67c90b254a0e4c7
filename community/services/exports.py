"""A member's copy of their data: asked for in the settings, built by a task, emailed as a link.

The zip holds only what is the member's own (their account, profile, posts, threads, reactions,
follows, notifications, verification history, consents, digest choices, flags, appeals and the
moderation decisions about them) and their photo. It names
no other member: notifications and verification decisions leave out who acted, as the pages do.
"""

import datetime
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails, outbox
from ..models import (
    DataExport,
    DigestSubscription,
    Follow,
    Notification,
    Post,
    Profile,
    Reaction,
    Thread,
    User,
)

# Sections other apps add to the export (events: applications), registered in their
# ``AppConfig.ready()``, so this module imports none of them.
EXPORT_SECTIONS: dict = {}


def export_section_register(name: str, section) -> None:
    """Add *section(user)*, JSON-ready data, to every export under *name*."""
    EXPORT_SECTIONS[name] = section


def export_request(*, user: User) -> DataExport:
    """Ask for an export of *user*'s data; one being prepared is reused, not doubled."""
    pending = user.data_exports.filter(status=DataExport.Status.PENDING).first()
    if pending:
        return pending
    with transaction.atomic():
        now = timezone.now()
        export = DataExport.objects.create(
            user=user,
            created_at=now,
            expires_at=now + datetime.timedelta(hours=settings.DATA_EXPORT_HOURS),
        )
        # The outbox keeps the task if the broker is down: the export is never forgotten.
        outbox.enqueue(
            "community.tasks.build_data_export", str(export.pk), key=f"export:{export.pk}"
        )
    return export


def export_build(*, export_id) -> DataExport | None:
    """Write the zip of the export's member to private storage and email them the link."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return export  # built already (a task may run twice) or erased since
    user = export.user
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(member_data(user), cls=DjangoJSONEncoder, indent=2)
        )
        archive.writestr("README.txt", _readme())
        profile = Profile.objects.filter(user=user).first()
        if profile and profile.avatar:
            with profile.avatar.open("rb") as avatar:
                archive.writestr("avatar.jpg", avatar.read())
    now = timezone.now()
    with transaction.atomic():
        export.file.save("export.zip", ContentFile(buffer.getvalue()), save=False)
        export.status, export.ready_at = DataExport.Status.READY, now
        # The link works for 48 hours from the moment it is sent.
        export.expires_at = now + datetime.timedelta(hours=settings.DATA_EXPORT_HOURS)
        export.save(update_fields=["file", "status", "ready_at", "expires_at"])
        emails.queue("data_export_ready", export_id=str(export.pk))
    return export


@emails.builder("data_export_ready")
def data_export_ready_email(*, export_id):
    """Build the email with the download link, while the export is still there."""
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=DataExport.Status.READY, expires_at__gt=timezone.now())
        .first()
    )
    if export is None:
        return None
    return emails.build(
        template="data_export_ready",
        to=export.user.email,
        subject=_("Your data export is ready"),
        context={
            "member": export.user,
            "download_url": emails.absolute_url(
                reverse("community:export_download", args=[export.pk])
            ),
            "valid_hours": settings.DATA_EXPORT_HOURS,
        },
    )


def export_for_download(*, user: User, export_id) -> DataExport | None:
    """Return *user*'s export *export_id* if it is ready and not expired, else None."""
    return (
        DataExport.objects.filter(
            pk=export_id,
            user=user,
            status=DataExport.Status.READY,
            expires_at__gt=timezone.now(),
        )
        .exclude(file="")
        .first()
    )


def _readme():
    return _(
        "Your data from the MEDI@4SEC Community Portal.\n\n"
        "data.json: your account, profile, posts, threads, reactions, follows, notifications,\n"
        "verification history, consents and digest choices, in JSON.\n"
        "avatar.jpg: your photo, if you uploaded one.\n"
    )


def _site_url(path):
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def member_data(user: User) -> dict:
    """Return everything the portal holds about *user* that is theirs, as JSON-ready data."""
    return {
        "exported_at": timezone.now(),
        "account": _account(user),
        "profile": _profile(Profile.objects.filter(user=user).first()),
        "threads": _threads(user),
        "posts": _posts(user),
        "reactions": _reactions(user),
        "follows": _follows(user),
        "notifications": _notifications(user),
        "verification": _verification(user),
        "consents": list(user.consents.values("document", "version", "accepted_at")),
        "moderation": _moderation(user),
        "digest": _digest(user),
        **{name: section(user) for name, section in EXPORT_SECTIONS.items()},
    }


def _account(user):
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "working_groups": list(
            user.group_memberships.values("group__name", "status", "created_at")
        ),
    }


def _threads(user):
    return [
        {
            "title": thread.title,
            "forum": thread.forum.name,
            "created_at": thread.created_at,
            "tags": sorted(tag.name for tag in thread.tags.all()),
            "url": _site_url(thread.get_absolute_url()),
        }
        for thread in Thread.objects.filter(author=user)
        .select_related("forum")
        .prefetch_related("tags")
        .order_by("created_at", "pk")
    ]


def _posts(user):
    return [
        {
            "thread": post.thread.title,
            "number": post.number,
            "text": post.body_markdown,
            "created_at": post.created_at,
            "updated_at": post.updated_at,
            "is_deleted": post.is_deleted,
            "url": _site_url(post.get_absolute_url()),
        }
        for post in Post.objects.filter(author=user)
        .select_related("thread")
        .order_by("created_at", "pk")
    ]


def _reactions(user):
    return [
        {
            "kind": reaction.kind,
            "post": _site_url(reaction.post.get_absolute_url()),
            "created_at": reaction.created_at,
        }
        for reaction in Reaction.objects.filter(user=user).select_related("post")
    ]


def _follows(user):
    return [
        {
            "level": follow.level,
            "thread": follow.thread.title if follow.thread_id else None,
            "forum": follow.forum.name if follow.forum_id else None,
            "tag": follow.tag.name if follow.tag_id else None,
            "updated_at": follow.updated_at,
        }
        for follow in Follow.objects.filter(user=user).select_related("thread", "forum", "tag")
    ]


def _notifications(user):
    # Who caused a notification is left out: the member's data, not another member's.
    return [
        {
            "kind": notification.kind,
            "thread": notification.thread.title,
            "count": notification.count,
            "is_read": notification.is_read,
            "created_at": notification.created_at,
            "updated_at": notification.updated_at,
        }
        for notification in Notification.objects.filter(recipient=user).select_related("thread")
    ]


def _verification(user):
    return {
        "requests": list(
            user.verification_requests.values(
                "organisation",
                "role",
                "official_email",
                "note",
                "status",
                "created_at",
                "email_confirmed_at",
                "decided_at",
            )
        ),
        # The decisions as the member was told them, without naming the verifier.
        "decisions": list(
            user.verification_decisions.values("action", "reason", "verified_until", "created_at")
        ),
    }


def _moderation(user):
    # What the member reported, and the decisions about them they were told (no moderator).
    return {
        "flags": [
            {
                "post": _site_url(flag.post.get_absolute_url()),
                "reason": flag.reason,
                "note": flag.note,
                "created_at": flag.created_at,
                "resolved_at": flag.resolved_at,
            }
            for flag in user.flags.select_related("post")
        ],
        "decisions_about_you": list(
            user.moderation_decisions.values("kind", "rule", "reason", "created_at")
        ),
        "appeals": list(user.appeals.values("text", "status", "created_at", "decided_at")),
    }


def _digest(user):
    return {
        "frequency": DigestSubscription.objects.filter(user=user)
        .values_list("frequency", flat=True)
        .first(),
        "topics": list(user.digest_topics.values("theme__name", "classification", "level")),
    }


def _profile(profile):
    if profile is None:
        return None
    return {
        "stakeholder_type": profile.stakeholder_type,
        "organisation": profile.organisation,
        "role": profile.role,
        "country": str(profile.country or ""),
        "languages": profile.languages,
        "expertise": sorted(tag.name for tag in profile.expertise.all()),
        "about": profile.bio_markdown,
        "links": profile.links,
        "visibility": profile.visibility,
        "verified_until": profile.verified_until,
        "has_photo": bool(profile.avatar),
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }
