"""Requests from people who appear in a case study: they land in the editors' queue, due in a
month, and every editor hears about each one (emails through the outbox)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..models import PersonRequest


@transaction.atomic
def person_request_create(*, case_study, kind: str, name: str, email: str, details: str):
    """Record a request about *case_study*, due after ``PERSON_REQUEST_DUE_DAYS``; tell editors."""
    now = timezone.now()
    request = PersonRequest.objects.create(
        case_study=case_study,
        kind=kind,
        name=name,
        email=email,
        details=details,
        created_at=now,
        due_at=now + datetime.timedelta(days=settings.PERSON_REQUEST_DUE_DAYS),
    )
    editors = Group.objects.filter(name="Editors").first()
    for editor_id in (
        editors.user_set.filter(is_active=True).values_list("pk", flat=True) if editors else []
    ):
        emails.queue("person_request_received", request_id=request.pk, editor_id=editor_id)
    return request


@emails.builder("person_request_received")
def person_request_email(*, request_id: int, editor_id: int):
    """Tell one editor that a request arrived, and when it is due."""
    from ..models import User

    request = PersonRequest.objects.select_related("case_study").filter(pk=request_id).first()
    editor = User.objects.filter(pk=editor_id, is_active=True).first()
    if request is None or editor is None:
        return None
    url = emails.absolute_url(
        reverse("wagtailsnippets_community_personrequest:edit", args=[request.pk])
    )
    return emails.build(
        template="person_request_received",
        to=editor.email,
        subject=_("A person in a case study asks: %(kind)s")
        % {"kind": request.get_kind_display().lower()},
        context={"request": request, "member": editor, "admin_url": url},
    )
