"""Views of the knowledge base outside the page tree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.models import Thread
from community.permissions import can_see, is_moderator

from .models import CaseStudyIndexPage, Classification
from .services import case_study_draft_from_thread


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
