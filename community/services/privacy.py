"""Privacy writes: consent to the terms, client addresses, erasing an account, retention.

The data export, built in the background, is in ``services/exports.py``.
"""

import datetime
import re

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import markdown
from ..caching import bump
from ..models import (
    AccountErasure,
    ClientAddress,
    Consent,
    DataExport,
    Document,
    Post,
    PostRevision,
    Profile,
    Reaction,
    User,
)
from ..signals import post_text_changed

# Which versions of the terms and the privacy notice a member accepted, and asking again.

SESSION_KEY = "privacy_consent_versions"


def current_versions() -> dict[str, str]:
    """Return the version of each document members must have accepted now."""
    return {Document.TERMS: settings.TERMS_VERSION, Document.PRIVACY: settings.PRIVACY_VERSION}


@transaction.atomic
def consent_record(*, user: User, now=None) -> list[Consent]:
    """Record that *user* accepts the current version of every document (once per version)."""
    now = now or timezone.now()
    return [
        Consent.objects.get_or_create(
            user=user, document=document, version=version, defaults={"accepted_at": now}
        )[0]
        for document, version in current_versions().items()
    ]


def missing_documents(user: User) -> list[str]:
    """Return the documents whose current version *user* has not accepted yet."""
    versions = current_versions()
    accepted = set(
        Consent.objects.filter(user=user, document__in=versions).values_list("document", "version")
    )
    return [doc for doc, version in versions.items() if (doc, version) not in accepted]


def needs_consent(request) -> bool:
    """Return whether the signed-in member must accept a new version before going on.

    The answer is kept in the session for the versions of the moment, so a member who is up to
    date costs one database query per session, and a new version is noticed on the next request.
    """
    versions = list(current_versions().values())
    if request.session.get(SESSION_KEY) == versions:
        return False
    if missing_documents(request.user):
        return True
    request.session[SESSION_KEY] = versions
    return False


def remember_accepted(request) -> None:
    request.session[SESSION_KEY] = list(current_versions().values())


def document_list(missing: list[str]) -> list[dict]:
    """Return each document with its address, current version and whether it awaits acceptance."""
    urls = {Document.TERMS: settings.TERMS_URL, Document.PRIVACY: settings.PRIVACY_NOTICE_URL}
    return [
        {
            "label": Document(document).label,
            "url": urls[document],
            "version": version,
            "is_missing": document in missing,
        }
        for document, version in current_versions().items()
    ]


# Client addresses kept for abuse handling: which address a post came from, for a while.
#
# Moderators need them to tell a flood from one person or to answer a police request about a
# threat; nobody needs them for long. Only posts record one (not page views or sign-ins), and the
# retention job erases each after ``RETENTION_IP_ADDRESS_DAYS``.


def post_address_record(*, post: Post, request) -> ClientAddress | None:
    """Record the address *request* came from as the one *post* was written from."""
    ip = get_adapter().get_client_ip(request)
    if not ip:
        return None
    return ClientAddress.objects.create(post=post, user=post.author, ip=ip)


# Erasing an account: the member leaves, their posts stay as a former member's.
#
# The user row is deleted; what hangs on it either goes with it (profile, email addresses, two-
# factor authenticators, follows, notifications, reactions, digest subscription and topics,
# verification history, consents, exports, client addresses, group memberships) or loses its
# author (threads, posts, post revisions, decisions they took as a verifier), which pages show as
# "A former member". Besides the rows, erasure rewrites what holds the member's name as text:
# mentions of them in other members' posts (Markdown, its stored HTML, earlier revisions), the
# avatar and export files, the sessions, and the Django admin's log lines about them.


def mention_re(username: str) -> re.Pattern:
    """Return a pattern for ``@username`` as the Markdown renderer sees a mention of it."""
    return re.compile(
        rf"(?<![\w@/.])@{re.escape(username)}(?![A-Za-z0-9_]|[.+-][A-Za-z0-9_])", re.IGNORECASE
    )


def _unlink_mentions(user: User) -> None:
    """Make mentions of *user* in other members' posts plain ``@former-member`` text."""
    pattern = mention_re(user.username)
    needle = f"@{user.username}"
    posts = Post.objects.filter(body_markdown__icontains=needle).exclude(author=user)
    changed = []
    for post in posts.iterator():
        text = pattern.sub(f"@{markdown.FORMER_MEMBER}", post.body_markdown)
        if text != post.body_markdown:
            post.body_markdown, post.body_html = text, markdown.render(text).html
            post.save(update_fields=["body_markdown", "body_html"])
            changed.append(post.pk)
    # The search index holds the words of the text: the old name must leave it too.
    post_text_changed.send(sender=Post, post_ids=changed)
    for revision in PostRevision.objects.filter(body_markdown__icontains=needle).iterator():
        revision.body_markdown = pattern.sub(f"@{markdown.FORMER_MEMBER}", revision.body_markdown)
        revision.save(update_fields=["body_markdown"])


def _delete_sessions(user: User) -> None:
    """Delete every stored session that signs in as *user* (database sessions)."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()


def _delete_files(user: User) -> None:
    """Delete the avatar and export files once the transaction that erased their rows commits."""
    files = [profile.avatar for profile in Profile.objects.filter(user=user).exclude(avatar="")] + [
        export.file for export in DataExport.objects.filter(user=user).exclude(file="")
    ]
    for stored in files:
        storage, name = stored.storage, stored.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _recount_reactions(post_ids) -> None:
    counts = dict(
        Post.objects.filter(pk__in=post_ids)
        .annotate(n=Count("reactions", filter=Q(reactions__kind=Reaction.Kind.HELPFUL)))
        .values_list("pk", "n")
    )
    for post_id, count in counts.items():
        Post.objects.filter(pk=post_id).update(helpful_count=count)


def _forget_admin_log(user: User) -> None:
    """Keep that staff changed the account, not what it was called."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr="former member", change_message="")


@transaction.atomic
def account_erase(*, user: User, initiator: str, processed_by: User | None = None):
    """Erase *user*'s account and personal data; their posts stay, by "A former member"."""
    user = User.objects.select_for_update().get(pk=user.pk)
    former_id = user.pk
    reacted = list(user.reactions.values_list("post_id", flat=True))
    _unlink_mentions(user)
    _delete_files(user)
    _delete_sessions(user)
    _forget_admin_log(user)
    user.delete()
    _recount_reactions(reacted)
    transaction.on_commit(bump)  # cached pages showed the member's name
    return AccountErasure.objects.create(
        former_user_id=former_id, initiator=initiator, processed_by=processed_by
    )


# Retention: what the portal keeps only for a while, erased by the hourly beat task.
#
# The periods are settings (``RETENTION_*``, ``DATA_EXPORT_HOURS``) and the privacy notice shows
# them from there (``retention_periods``), so the page cannot drift from what the code does.


# Periods other apps keep data for (events: declined applications), registered in their
# ``AppConfig.ready()``: a function returning the notice's row, read when the notice is shown,
# and the eraser the hourly run calls, so notice and erasure come from one registration.
RETENTION_SECTIONS: dict = {}


def retention_period_register(name: str, *, period, erase) -> None:
    """Show *period()* on the privacy notice; have the retention run call *erase(now=...)*."""
    RETENTION_SECTIONS[name] = (period, erase)


def retention_periods() -> list[dict]:
    """Return what is kept for how long, for the privacy notice."""
    return [*_own_retention_periods(), *(period() for period, _ in RETENTION_SECTIONS.values())]


def _own_retention_periods() -> list[dict]:
    return [
        {
            "what": _("Accounts whose email address was never confirmed"),
            "days": settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS,
        },
        {
            "what": _("Network (IP) addresses posts were written from, kept for abuse handling"),
            "days": settings.RETENTION_IP_ADDRESS_DAYS,
        },
        {"what": _("Data exports you ask for"), "hours": settings.DATA_EXPORT_HOURS},
        {
            "what": _("Answer to a request about a case study that concerns you"),
            "days": settings.PERSON_REQUEST_DUE_DAYS,
            "is_deadline": True,
        },
    ]


def unverified_accounts_erase(*, now=None) -> int:
    """Erase accounts older than the period whose email address was never confirmed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    doomed = User.objects.filter(
        date_joined__lt=cutoff, is_staff=False, is_superuser=False, last_login__isnull=True
    ).exclude(Exists(verified))
    count = 0
    for user in doomed.iterator():
        account_erase(user=user, initiator=AccountErasure.Initiator.RETENTION)
        count += 1
    return count


def client_addresses_erase(*, now=None) -> int:
    """Erase client addresses kept for abuse handling longer than the period."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_IP_ADDRESS_DAYS)
    return ClientAddress.objects.filter(created_at__lt=cutoff).delete()[0]


def expired_exports_erase(*, now=None) -> int:
    """Delete data exports (rows and files) whose link has expired."""
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(expires_at__lte=now).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


def retention_apply(*, now=None) -> dict:
    """Apply every retention period; return how many of each were erased."""
    return {
        "unverified_accounts": unverified_accounts_erase(now=now),
        "client_addresses": client_addresses_erase(now=now),
        "exports": expired_exports_erase(now=now),
        **{name: erase(now=now) for name, (_, erase) in RETENTION_SECTIONS.items()},
    }
