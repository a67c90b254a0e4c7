"""The header's links to the work queues of a member's roles, each with what waits in it.

A member without a role costs nothing here: the role names are the ones the header's moderator
check already loaded. A role holder's counts come in one query, once per request.
"""

from django import template
from django.db.models import F, Func, IntegerField, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community import permissions
from community.models import Appeal, Post, User, VerificationRequest

register = template.Library()
# The queues of roles that apps built on the community define (events' organisers), registered
# in their AppConfig.ready: (label, route, whether a member holds the role, what waits for them).
REGISTERED_QUEUES = []


def queue_register(*, label, route, holds, waiting):
    """Show *label* (a link to *route*) to members for whom holds(user), counting waiting(user)."""
    REGISTERED_QUEUES.append((label, route, holds, waiting))


def _count(queryset):
    """Return the number of rows of *queryset* as a scalar subquery."""
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row even when none match.
    counted = queryset.model.objects.filter(pk__in=queryset.order_by().values("pk")).order_by()
    return Subquery(
        counted.annotate(waiting=Func(F("pk"), function="COUNT")).values("waiting"),
        output_field=IntegerField(),
    )


def _queues(user):
    """Return (label, route, queryset of what waits) for each queue *user* works on."""
    if not (user.is_staff or user.is_superuser or permissions.role_names(user)):
        return []
    queues = []
    if permissions.is_moderator(user):
        queues += [
            (_("Review queue"), "community:moderation_queue", Post.objects.for_review()),
            (None, "community:moderation_queue", Appeal.objects.filter(status="pending")),
        ]
    if permissions.can_verify(user):
        pending = VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING)
        queues.append((_("Verification queue"), "community:verification_queue", pending))
    queues += [
        (label, route, waiting(user))
        for label, route, holds, waiting in REGISTERED_QUEUES
        if holds(user)
    ]
    return queues


@register.simple_tag(takes_context=True)
def role_queues(context):
    """Return ``[{label, url, count, is_current}]``: the queues of the signed-in member's roles."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    if not hasattr(request, "_role_queues"):
        request._role_queues = _role_queues(request)
    return request._role_queues


def _role_queues(request):
    queues = _queues(request.user)
    if not queues:
        return []
    counts = User.objects.filter(pk=request.user.pk).values_list(
        *[_count(queryset) for _label, _route, queryset in queues]
    )[0]
    shown = {}
    for (label, route, _queryset), count in zip(queues, counts, strict=True):
        url = reverse(route)
        if url in shown:  # the appeals wait in the moderators' queue
            shown[url]["count"] += count
            continue
        shown[url] = {
            "label": label,
            "url": url,
            "count": count,
            "is_current": request.path == url,
        }
    return list(shown.values())
