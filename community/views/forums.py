"""Forum views: content a member may not see answers 404, exactly like what does not exist."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from .. import limits, markdown, services
from ..caching import cache_page_for_visitors
from ..forms import (
    FollowForm,
    PostForm,
    ThreadForm,
)
from ..fragments import forum_card_fragments, post_fragments, thread_row_fragments
from ..models import (
    FollowLevel,
    Forum,
    Notification,
    Post,
    Thread,
)
from ..permissions import (
    can_delete_post,
    can_edit_post,
    can_follow,
    can_react,
    can_reply,
    can_see_hidden,
    can_start_thread,
    reply_refusal,
)
from ..presenters import (
    SORT_LABELS,
    annotated_follow_level,
    follow_level,
    linkable_mentions,
    read_marker,
    revision_changes,
    with_summaries,
    with_unread_counts,
)
from ..querysets import THREAD_SORTS, visible_tags
from ..services.privacy import post_address_record
from .site import PastLastPage, to_last_page, too_many_requests, with_retry_after

# Content a member may not see answers 404, exactly like content that does not exist: every
# lookup goes through ``visible_to(request.user)``. Writes are POST-only; the one thing a GET
# records is how far a member has read a thread (read markers, seen notifications).

THREADS_PER_PAGE = 25
HELD_MESSAGE = _lazy(
    "Your post is held for review: a moderator looks at it before it appears to others."
)
POSTS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 30


def page_number(request, count, per_page):
    """Return the requested page number and the page count; 404 for a page that is not there.

    A page past the end raises ``PastLastPage``: a view wrapped in ``to_last_page`` redirects.
    """
    page_count = max(1, math.ceil(count / per_page))
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        raise Http404(_("No such page.")) from None
    if number > page_count and number > 1:
        raise PastLastPage(page_count)
    if number < 1:
        raise Http404(_("No such page."))
    return number, page_count


def _visible_forum(request, slug):
    forums = Forum.objects.visible_to(request.user).with_follow_level(request.user)
    return get_object_or_404(forums, slug=slug)


def _visible_thread(request, thread_id):
    threads = Thread.objects.visible_to(request.user).select_related("forum", "case_study")
    return get_object_or_404(threads.with_member_state(request.user), pk=thread_id)


def _visible_tag(request, slug):
    return get_object_or_404(visible_tags(request.user), slug=slug)


def _visible_post(request, post_id):
    posts = Post.objects.visible_to(request.user).select_related("thread__forum")
    return get_object_or_404(posts, pk=post_id)


def _post_url(post):
    page = (post.number - 1) // POSTS_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{post.thread.get_absolute_url()}{query}#post-{post.pk}"


def _safe_next(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@cache_page_for_visitors
def forum_index(request):
    """List the forums the visitor may see, grouped by section, with counts and latest activity."""
    forums = list(Forum.objects.visible_to(request.user).with_last_activity())
    sections: dict[str, list[str]] = {}
    for forum, html in zip(forums, forum_card_fragments(forums), strict=True):
        sections.setdefault(forum.section, []).append(html)
    return render(request, "community/forum_index.html", {"sections": sections.items()})


@to_last_page
@cache_page_for_visitors
def forum_detail(request, slug):
    """List a forum's threads: pinned first, sorted, optionally one tag, paginated."""
    forum = _visible_forum(request, slug)
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in THREAD_SORTS else "activity"
    tag = _visible_tag(request, request.GET["tag"]) if "tag" in request.GET else None
    threads = forum.threads.shown_to(request.user)
    threads = threads.filter(tags=tag) if tag else threads
    # The forum counts the threads members see; moderators also see hidden ones: count them.
    exact = tag or can_see_hidden(request.user)
    number, page_count = page_number(
        request, threads.count() if exact else forum.thread_count, THREADS_PER_PAGE
    )
    start = (number - 1) * THREADS_PER_PAGE
    threads = threads.sorted_by(sort).with_last_post().with_tags().with_read_state(request.user)
    threads = with_unread_counts(threads[start : start + THREADS_PER_PAGE], request.user)
    context = {
        "forum": forum,
        "thread_html": thread_row_fragments(threads),
        "sort": sort,
        "sorts": SORT_LABELS,
        "tag": tag,
        "page": {"number": number, "count": page_count},
        "can_start_thread": can_start_thread(request.user, forum),
        "follow_levels": FollowLevel.choices,
        "follow_level": annotated_follow_level(request.user, forum),
        "tag_follow_level": follow_level(request.user, tag=tag) if tag else None,
    }
    return render(request, "community/forum_detail.html", context)


@login_required
def thread_create(request, slug):
    """Start a thread: the form, a preview on request, and the thread once it is valid."""
    forum = _visible_forum(request, slug)
    allowed = can_start_thread(request.user, forum)
    form = ThreadForm(request.POST or None, author=request.user)
    refusal = None
    if request.method == "POST" and not allowed:
        form.add_error(None, _("Confirm your email address before you start a thread."))
    elif request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        thread, refusal = _within_limits(
            request.user,
            form,
            lambda: services.thread_create(author=request.user, forum=forum, **form.cleaned_data),
            starts_thread=True,
        )
        if refusal is None:
            # A held opening post is not the thread's last post (members do not see it yet).
            opening = thread.posts.get(number=1) if thread.is_hidden else thread.last_post
            post_address_record(post=opening, request=request)
            if thread.is_hidden:
                messages.info(request, HELD_MESSAGE)
                return redirect(forum)
            messages.success(request, _("Your thread is online."))
            return redirect(thread)
    context = {"forum": forum, "form": form, "can_start_thread": allowed}
    if request.method == "POST" and form.is_valid():
        context["preview"] = _preview(request, form.cleaned_data["body"])
    status = 429 if refusal else 400 if request.method == "POST" and not form.is_valid() else 200
    response = render(request, "community/thread_create.html", context, status=status)
    return with_retry_after(response, refusal)


def _preview(request, body):
    """Return *body* rendered as it would be shown to the member writing it."""
    html = markdown.render(body).html
    return markdown.mentions_resolve(html, linkable_mentions(request.user, [html]))


def _within_limits(user, form, write, *, starts_thread=False):
    """Call *write* if *user* may post the valid *form* now: (its result, None) or (None, refusal).

    A refusal is also shown on the form, which keeps the typed text.
    """
    try:
        with limits.posting(user, body=form.cleaned_data["body"], starts_thread=starts_thread):
            return write(), None
    except limits.LimitExceeded as refusal:
        form.add_error(None, refusal.describe())
        return None, refusal


@to_last_page
@cache_page_for_visitors
def thread_detail(request, thread_id, slug):
    """Show one page of a thread's posts and, for members who may reply, the reply form."""
    thread = _visible_thread(request, thread_id)
    if slug != thread.slug:
        return redirect(f"{thread.get_absolute_url()}?{request.GET.urlencode()}".rstrip("?"))
    initial = {}
    if can_reply(request.user, thread) and request.GET.get("quote", "").isdigit():
        quoted = _quotable(thread, request.GET["quote"])
        initial["body"] = _quote(quoted) if quoted else ""
    return _render_thread(request, thread, PostForm(initial=initial))


def post_quote(request, thread_id, post_id):
    """Return, as JSON, the Markdown quote of a post for the reply box; 404 if not quotable."""
    thread = _visible_thread(request, thread_id)
    quoted = _quotable(thread, post_id) if can_reply(request.user, thread) else None
    if quoted is None:
        raise Http404(_("There is no such post to quote."))
    response = JsonResponse({"text": _quote(quoted)})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def post_create(request, thread_id):
    """Reply in a thread, or show a preview of the reply; errors keep what was typed."""
    thread = _visible_thread(request, thread_id)
    form = PostForm(request.POST, author=request.user)
    if not can_reply(request.user, thread):
        form.add_error(None, _reply_refusal(request.user, thread))
        return _render_thread(request, thread, form, status=403, last_page=True)
    if "quote" in request.POST:
        return _render_thread(request, thread, _with_quote(request, thread))
    if not form.is_valid():
        return _render_thread(request, thread, form, status=400, last_page=True)
    if "preview" in request.POST:
        preview = _preview(request, form.cleaned_data["body"])
        return _render_thread(request, thread, form, preview=preview, last_page=True)
    post, refusal = _within_limits(
        request.user,
        form,
        lambda: services.post_create(
            author=request.user, thread=thread, body=form.cleaned_data["body"]
        ),
    )
    if refusal:
        response = _render_thread(request, thread, form, status=429, last_page=True)
        return with_retry_after(response, refusal)
    post_address_record(post=post, request=request)
    if post.is_hidden:
        messages.info(request, HELD_MESSAGE)
        return redirect(thread)
    return redirect(_post_url(post))


def _reply_refusal(user, thread):
    return f"{reply_refusal(user, thread)} {_('Your text is still below.')}"


def _quotable(thread, post_id):
    """Return the post *post_id* of *thread* if it may be quoted (shown to everyone), or None."""
    if not str(post_id).isdigit():
        return None
    return thread.posts.filter(pk=post_id, is_deleted=False, is_hidden=False).first()


def _with_quote(request, thread):
    """Return a reply form holding what was typed, the quote of ``quote`` appended (no script)."""
    body = request.POST.get("body", "")
    quoted = _quotable(thread, request.POST["quote"])
    if quoted:
        body = f"{body.rstrip()}\n\n{_quote(quoted)}" if body.strip() else _quote(quoted)
    return PostForm(initial={"body": body})


def _quote(post):
    return markdown.quote(
        text=post.body_markdown,
        username=post.author.username if post.author else _("former member"),
        permalink=post.get_absolute_url(),
        label=_("wrote in post #%(number)d") % {"number": post.number},
    )


def _render_thread(request, thread, form, *, status=200, preview=None, last_page=False):
    if last_page:
        request.GET = request.GET.copy()
        request.GET["page"] = str(max(1, math.ceil(thread.post_count / POSTS_PER_PAGE)))
    number, page_count = page_number(request, thread.post_count, POSTS_PER_PAGE)
    first = (number - 1) * POSTS_PER_PAGE + 1
    posts = list(
        thread.posts.shown_to(request.user)
        .for_page(request.user)
        .filter(number__gte=first, number__lt=first + POSTS_PER_PAGE)
    )
    page = {"number": number, "count": page_count}
    last_read = thread.my_last_read
    if request.user.is_authenticated and posts and (last_read or 0) < posts[-1].number:
        services.thread_mark_read(user=request.user, thread=thread, number=posts[-1].number)
    context = {
        "thread": thread,
        "forum": thread.forum,
        "page": page,
        "post_html": post_fragments(posts, viewer=request.user, page=page),
        "tags": list(thread.tags.all()),
        "first_unread": last_read + 1 if last_read is not None else None,
        "form": form,
        "preview": preview,
        "can_reply": can_reply(request.user, thread),
        "reply_refusal": reply_refusal(request.user, thread),
        "follow_level": annotated_follow_level(request.user, thread),
        "follow_levels": FollowLevel.choices,
    }
    return render(request, "community/thread_detail.html", context, status=status)


@login_required
def thread_unread(request, thread_id, slug):
    """Go to the first post the member has not read yet (or the last post)."""
    thread = _visible_thread(request, thread_id)
    marker = read_marker(thread, request.user)
    number = min((marker.last_read_number + 1) if marker else 1, max(thread.post_count, 1))
    post = get_object_or_404(thread.posts, number=number)
    return redirect(_post_url(post))


def post_permalink(request, post_id):
    """Send a post's permanent address to the page of the thread it is on, at the post."""
    return redirect(_post_url(_visible_post(request, post_id)))


@login_required
def post_edit(request, post_id):
    """Let the author change a post; the old text goes into the visible edit history."""
    post = _visible_post(request, post_id)
    if not can_edit_post(request.user, post):
        raise PermissionDenied
    form = PostForm(request.POST or None, initial={"body": post.body_markdown}, author=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            services.post_edit(editor=request.user, post=post, body=form.cleaned_data["body"])
            if post.is_hidden and not can_see_hidden(request.user):
                messages.info(request, HELD_MESSAGE)
                return redirect(post.thread)
            messages.success(request, _("Your changes are saved."))
            return redirect(_post_url(post))
        preview = _preview(request, form.cleaned_data["body"])
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"post": post, "thread": post.thread, "form": form, "preview": preview}
    return render(request, "community/post_edit.html", context, status=status)


def post_history(request, post_id):
    """Show who changed a post when, and what each edit changed (removed text: moderators)."""
    post = _visible_post(request, post_id)
    if post.is_deleted:
        raise Http404(_("This post was deleted."))
    revisions = list(post.revisions.select_related("editor", "moderation_action"))
    context = {
        "post": post,
        "thread": post.thread,
        "changes": revision_changes(post, revisions, viewer=request.user),
        "is_moderator": can_see_hidden(request.user),
    }
    return render(request, "community/post_history.html", context)


@login_required
@require_POST
def post_delete(request, post_id):
    """Delete a post softly: it keeps its place, its text is hidden."""
    post = _visible_post(request, post_id)
    if not can_delete_post(request.user, post):
        raise PermissionDenied
    services.post_delete(actor=request.user, post=post)
    messages.success(request, _("The post was deleted."))
    return redirect(_post_url(post))


@login_required
@require_POST
def reaction_toggle(request, post_id):
    """Mark a post helpful, or take the mark back."""
    post = _visible_post(request, post_id)
    if not can_react(request.user, post):
        raise PermissionDenied
    try:
        limits.check_reaction(request.user, post)
    except limits.LimitExceeded as refusal:
        return too_many_requests(request, refusal, back_url=_post_url(post))
    services.reaction_toggle(user=request.user, post=post)
    return redirect(_post_url(post))


@login_required
@require_POST
def follow_update(request, kind, key):
    """Set how closely the member follows a thread, a forum or a tag."""
    if kind == "thread":
        target = {"thread": _visible_thread(request, key)}
        forum, fallback = target["thread"].forum, target["thread"].get_absolute_url()
    elif kind == "forum":
        forum = _visible_forum(request, key)
        target, fallback = {"forum": forum}, forum.get_absolute_url()
    else:
        forum, target = None, {"tag": _visible_tag(request, key)}
        fallback = reverse("community:forum_index")
    form = FollowForm(request.POST)
    if not form.is_valid() or (forum and not can_follow(request.user, forum)):
        return HttpResponseBadRequest(_("Choose watching, normal or muted."))
    services.follow_set(user=request.user, level=form.cleaned_data["level"], **target)
    messages.success(request, _("Your notification setting is saved."))
    return redirect(_safe_next(request, fallback))


@to_last_page
@login_required
def notification_list(request):
    """List the member's notifications, newest first, unread ones marked."""
    notifications = Notification.objects.visible_to(request.user)
    number, page_count = page_number(request, notifications.count(), NOTIFICATIONS_PER_PAGE)
    start = (number - 1) * NOTIFICATIONS_PER_PAGE
    page = with_summaries(
        notifications.for_listing(request.user)[start : start + NOTIFICATIONS_PER_PAGE]
    )
    context = {"notifications": page, "page": {"number": number, "count": page_count}}
    return render(request, "community/notification_list.html", context)


@login_required
@require_POST
def notifications_mark_read(request):
    """Mark one notification (``id``) or all of them read."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(user=request.user, ids=ids)
    return redirect(_safe_next(request, reverse("community:notifications")))
