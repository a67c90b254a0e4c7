"""Requests from people who appear in a case study: they land in the editors' queue, due in a
month, and every editor hears about each one."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
    transaction.on_commit(lambda: editors_notify(request_id=request.pk))
    return request


def editors_notify(*, request_id: int) -> int:
    """Email every active editor that a request arrived and when it is due; return how many."""
    from ..emails import absolute_url, send

    request = PersonRequest.objects.select_related("case_study").get(pk=request_id)
    editors = Group.objects.filter(name="Editors").first()
    recipients = editors.user_set.filter(is_active=True) if editors else []
    url = absolute_url(reverse("wagtailsnippets_community_personrequest:edit", args=[request.pk]))
    for editor in recipients:
        send(
            template="person_request_received",
            to=editor.email,
            subject=_("A person in a case study asks for a %(kind)s")
            % {"kind": request.get_kind_display().lower()},
            context={"request": request, "editor": editor, "admin_url": url},
        )
    return len(recipients)
