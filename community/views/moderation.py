"""Moderation views: members flag posts; moderators review, decide and answer appeals.

The moderation pages answer 404 to everyone but moderators, like a page that does not exist.
Moderators review every flagged or held post, whatever forum it is in: judging it is their job.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import limits
from ..forms import AppealDecisionForm, AppealForm, FlagForm, ModerationActionForm
from ..models import Appeal, Flag, ModerationAction, Post, Thread
from ..permissions import (
    can_appeal,
    can_decide_appeal,
    can_flag,
    can_referee_appeals,
    can_see_decision,
    is_moderator,
)
from ..presenters import linkable_mentions, with_neighbours
from ..services.moderation import (
    ModerationError,
    appeal_create,
    appeal_decide,
    decision_notice_read,
    flag_create,
    has_other_moderator,
    moderation_act,
)
from .forums import _post_url, _visible_post, page_number
from .site import too_many_requests

QUEUE_PER_PAGE = 20
LOG_PER_PAGE = 50


def moderators_only(view):
    """Answer 404 to everyone who is not a moderator, visitors included."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def post_flag(request, post_id):
    """Flag a post for the moderators: the form, a second flag refused, thanks once sent."""
    post = _visible_post(request, post_id)
    already = Flag.objects.filter(post=post, flagger=request.user).exists()
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and not already and can_flag(request.user, post):
        try:
            limits.check_flag(request.user)
        except limits.LimitExceeded as refusal:
            return too_many_requests(
                request, refusal, back_url=_post_url(post), kept_text=request.POST.get("note", "")
            )
        if form.is_valid():
            try:
                flag_create(flagger=request.user, post=post, **form.cleaned_data)
            except ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you: the moderators will look at this post."))
                return redirect(_after_flag_url(request.user, post))
        status = 400
    elif request.method == "POST":
        status = 400 if already else 403
    context = {
        "post": post,
        "thread": post.thread,
        "form": form,
        "already": already,
        "can_flag": can_flag(request.user, post),
        "linkable": _linkable(request, [post]),
    }
    return render(request, "community/post_flag.html", context, status=status)


def _linkable(request, posts):
    """Return who the viewer may open among those mentioned in *posts* and their neighbours."""
    shown = [
        near
        for post in posts
        for near in (post, getattr(post, "before", None), getattr(post, "after", None))
        if near is not None
    ]
    return linkable_mentions(request.user, [post.body_html for post in shown])


def _after_flag_url(user, post):
    """Return where to go after a flag: the post, or its forum if the thread is now hidden."""
    if Thread.objects.visible_to(user).filter(pk=post.thread_id).exists():
        return _post_url(post)
    return post.thread.forum.get_absolute_url()


@moderators_only
def moderation_queue(request):
    """List flagged and held posts with their reasons and context, and the appeals waiting."""
    posts = Post.objects.for_review()
    number, page_count = page_number(request, posts.count(), QUEUE_PER_PAGE)
    start = (number - 1) * QUEUE_PER_PAGE
    shown = with_neighbours(list(posts[start : start + QUEUE_PER_PAGE]))
    context = {
        "posts": shown,
        "linkable": _linkable(request, shown),
        "page": {"number": number, "count": page_count},
        "appeals": Appeal.objects.filter(status=Appeal.Status.PENDING).select_related(
            "appellant", "action__moderator", "action__thread"
        ),
    }
    return render(request, "community/moderation_queue.html", context)


@moderators_only
def moderation_post(request, post_id):
    """Review one post: flags, context, earlier decisions, and the decision form."""
    posts = Post.objects.select_related("thread__forum", "author")
    post = get_object_or_404(posts, pk=post_id)
    form = ModerationActionForm(
        request.POST or None,
        initial={"body": post.body_markdown, "title": post.thread.title},
        opening=post.number == 1,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = moderation_act(
                    moderator=request.user,
                    post=post,
                    kind=data["action"],
                    rule=data["rule"],
                    reason=data["reason"],
                    body=data["body"],
                    title=data["title"],
                    suspend_days=data["suspend_days"],
                )
            except ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Done: %(action)s.") % {"action": action.get_kind_display()}
                )
                return redirect("community:moderation_queue")
        status = 400
    with_neighbours([post])
    context = {
        "post": post,
        "thread": post.thread,
        "form": form,
        "flags": post.flags.select_related("flagger").order_by("-created_at"),
        "actions": post.moderation_actions.select_related("moderator").order_by("-created_at"),
        "linkable": _linkable(request, [post]),
    }
    return render(request, "community/moderation_post.html", context, status=status)


@moderators_only
def moderation_log(request):
    """Show every moderation step, newest first: who did what, to whom, and why."""
    actions = ModerationAction.objects.all()
    number, page_count = page_number(request, actions.count(), LOG_PER_PAGE)
    start = (number - 1) * LOG_PER_PAGE
    context = {
        "actions": actions.select_related("moderator", "member", "post", "thread")[
            start : start + LOG_PER_PAGE
        ],
        "page": {"number": number, "count": page_count},
    }
    return render(request, "community/moderation_log.html", context)


@login_required
def moderation_decision(request, action_id):
    """Show a decision to the member it concerns (with the appeal form) and to moderators."""
    actions = ModerationAction.objects.select_related("moderator", "member", "post", "thread")
    action = get_object_or_404(actions, pk=action_id)
    if not can_see_decision(request.user, action):
        raise Http404(_("No such page."))
    decision_notice_read(user=request.user, action=action)  # what the notice leads to is read
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_appeal(request.user, action):
            form.add_error(None, _("You appealed this decision already, or it cannot be appealed."))
        elif form.is_valid():
            try:
                appeal_create(member=request.user, action=action, text=form.cleaned_data["text"])
            except ModerationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your appeal is sent."))
                return redirect(action)
        status = 400
    return _render_decision(request, action, appeal_form=form, status=status)


def _render_decision(request, action, *, appeal_form=None, decision_form=None, status=200):
    appeal = Appeal.objects.filter(action=action).select_related("appellant").first()
    # Who decides an appeal, told to the member: another moderator, or (a team of one) a referee.
    others = action.is_appealable and has_other_moderator(action=action)
    context = {
        "action": action,
        "appeal": appeal,
        "appeal_form": appeal_form
        if appeal_form is not None and (can_appeal(request.user, action) or appeal_form.errors)
        else None,
        "decision_form": decision_form or AppealDecisionForm(),
        "has_other_moderator": others,
        "can_decide": appeal is not None
        and can_decide_appeal(request.user, appeal, has_other_moderator=others),
        "outcome": appeal
        and ModerationAction.objects.filter(appeal=appeal).select_related("moderator").first(),
        "is_moderator": is_moderator(request.user),
        "linkable": _linkable(request, [action.post] if action.post else []),
    }
    return render(request, "community/moderation_decision.html", context, status=status)


@require_POST
def appeal_decide_view(request, appeal_id):
    """Uphold or overturn an appeal: a moderator other than the one who decided, or a referee."""
    if not (is_moderator(request.user) or can_referee_appeals(request.user)):
        raise Http404(_("No such page."))
    appeal = get_object_or_404(Appeal.objects.select_related("action"), pk=appeal_id)
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        try:
            appeal_decide(
                moderator=request.user,
                appeal=appeal,
                overturn=form.cleaned_data["decision"] == "overturn",
                reason=form.cleaned_data["reason"],
            )
        except ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The appeal is decided; the member is told."))
            if not is_moderator(request.user):  # a referee has no queue
                return redirect(appeal.action)
            return redirect(reverse("community:moderation_queue"))
    action = ModerationAction.objects.select_related("moderator", "member", "post", "thread").get(
        pk=appeal.action_id
    )
    return _render_decision(request, action, decision_form=form, status=400)
