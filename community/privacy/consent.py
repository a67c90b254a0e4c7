"""Which versions of the terms and the privacy notice a member accepted, and asking again."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Consent, Document, User

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
