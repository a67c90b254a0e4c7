"""Views of the knowledge base outside the page tree."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from taggit.models import Tag
from wagtail.admin.auth import require_admin_access

from community.models import ExpertiseTag, Profile, Thread
from community.permissions import can_see, is_moderator
from community.querysets import visible_tags

from .forms import PersonRequestForm
from .models import CaseStudyIndexPage, CaseStudyPage, Classification
from .services import case_study_draft_from_thread, person_request_create


@login_required
@require_POST
def case_study_from_thread(request, thread_id):
    """Turn a thread into a draft case study for editors (moderators only)."""
    thread = get_object_or_404(Thread.objects.select_related("forum"), pk=thread_id)
    if not (is_moderator(request.user) and can_see(request.user, thread.forum)):
        raise Http404
    classification = request.POST.get("classification")
    if classification not in Classification.values or not CaseStudyIndexPage.objects.exists():
        messages.error(request, _("Choose whether the case is good, bad or ugly."))
        return redirect(thread.get_absolute_url())
    if thread.case_study_id:
        messages.info(request, _("This thread is already linked to a case study."))
        return redirect(thread.get_absolute_url())
    draft = case_study_draft_from_thread(
        thread=thread, moderator=request.user, classification=classification
    )
    messages.success(request, _("A draft case study was created for the editors."))
    return redirect(reverse("wagtailadmin_pages:edit", args=[draft.pk]))


TAGS_SUGGESTED = 10


@require_admin_access
def tag_autocomplete(request, app_name=None, model_name=None):
    """Suggest tags to an editor, like Wagtail's own view, but only names the editor may see.

    Tags on any case study (editors see them all in the admin) or on a thread the editor may
    see; areas of expertise only from profiles that show them to the editor.
    """
    if (app_name, model_name) in {(None, None), ("taggit", "tag")}:
        tags = Tag.objects.filter(
            Q(pk__in=visible_tags(request.user).values("pk"))
            | Q(knowledgebase_casestudytag_items__isnull=False)
        )
    elif (app_name, model_name) == ("community", "expertisetag"):
        profiles = Profile.objects.with_field(request.user, "expertise")
        tags = ExpertiseTag.objects.filter(tagged_profiles__content_object__in=profiles)
    else:
        raise Http404
    term = request.GET.get("term", "").replace("\x00", "")
    names = tags.filter(name__istartswith=term).order_by("name").values_list("name", flat=True)
    return JsonResponse(list(names.distinct()[:TAGS_SUGGESTED]) if term else [], safe=False)


def person_request(request, page_id):
    """Let someone who appears in a case study ask for a correction or removal (rate-limited)."""
    case_study = get_object_or_404(CaseStudyPage.objects.visible_to(request.user), pk=page_id)
    form = PersonRequestForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "case_study": case_study, "due_days": settings.PERSON_REQUEST_DUE_DAYS}
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="person_request"):
            context["retry_after_minutes"] = _rate_minutes()
            return render(request, "knowledgebase/person_request_form.html", context, status=429)
        person_request_create(case_study=case_study, **form.cleaned_data)
        return redirect("knowledgebase:person_request_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledgebase/person_request_form.html", context, status=status)


def _rate_minutes():
    from allauth.core.internal.ratelimit import parse_duration

    rate = settings.ACCOUNT_RATE_LIMITS["person_request"].split(",")[0]
    return max(1, round(parse_duration(rate.split("/")[1]) / 60))


def person_request_sent(request):
    """Confirm that a request about a case study arrived, and when to expect an answer."""
    context = {"due_days": settings.PERSON_REQUEST_DUE_DAYS}
    return render(request, "knowledgebase/person_request_sent.html", context)
