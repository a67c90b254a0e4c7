"""Views of the community half: parse input, call a queryset, service or permission, render."""

import math
import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from . import markdown, services
from .caching import cache_page_for_visitors
from .forms import (
    DirectoryForm,
    DisplayNameForm,
    FollowForm,
    PostForm,
    ProfileForm,
    ThreadForm,
    VerificationApproveForm,
    VerificationReasonForm,
    VerificationRequestForm,
)
from .models import (
    ExpertiseTag,
    FollowLevel,
    Forum,
    Notification,
    Post,
    Profile,
    Thread,
    User,
    VerificationRequest,
    WorkingGroup,
    WorkingGroupMembership,
)
from .permissions import (
    can_delete_post,
    can_edit_post,
    can_follow,
    can_manage_groups,
    can_react,
    can_reply,
    can_start_thread,
    can_verify,
    is_moderator,
    is_verified_practitioner,
)
from .presenters import (
    SORT_LABELS,
    follow_level,
    read_marker,
    revision_changes,
    with_unread_counts,
)
from .querysets import THREAD_SORTS
from .services import profile_get_or_create, profile_update


@login_required
def account_settings(request):
    """Show the member's account and let them edit their stakeholder profile."""
    profile = profile_get_or_create(user=request.user)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    name_form = DisplayNameForm(data, instance=request.user, prefix="user")
    profile_form = ProfileForm(data, files, instance=profile, prefix="profile")
    if request.method == "POST" and name_form.is_valid() and profile_form.is_valid():
        profile_update(
            user=request.user,
            display_name=name_form.cleaned_data["display_name"],
            **profile_form.profile_changes(),
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("community:settings")
    context = {"name_form": name_form, "profile_form": profile_form, "profile": profile}
    return render(request, "community/settings.html", context)


@require_GET
def robots_txt(request):
    """Tell crawlers what not to index: accounts, admin and personal pages."""
    return render(request, "robots.txt", content_type="text/plain")


@never_cache
def healthz(request):
    """Answer as long as the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok"})


def _timed(check):
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker():
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


@never_cache
def readyz(request):
    """Report whether the database and the cache/broker answer, with timings; 503 if not."""
    checks = {"database": _timed(_check_database), "cache": _timed(_check_cache)}
    if settings.REDIS_URL:
        checks["broker"] = _timed(_check_broker)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _error_page(request, template_name, status):
    return render(request, template_name, status=status)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def too_many_requests(request, exception=None):
    return _error_page(request, "429.html", 429)


def csrf_failure(request, reason=""):
    return _error_page(request, "403_csrf.html", 403)


def server_error(request):
    """Render the 500 page without request context: the failure may lie in the database.

    A database that cannot be reached is an outage, not a bug: answer 503 with Retry-After.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


# Forums ---------------------------------------------------------------------------------------
# Content a member may not see answers 404, exactly like content that does not exist: every
# lookup goes through ``visible_to(request.user)``. Writes are POST-only; the one thing a GET
# records is how far a member has read a thread (read markers, seen notifications).

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 30


def _page_number(request, count, per_page):
    """Return the requested page number and the page count; 404 for a page that is not there."""
    page_count = max(1, math.ceil(count / per_page))
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        raise Http404(_("No such page.")) from None
    if not 1 <= number <= page_count:
        raise Http404(_("No such page."))
    return number, page_count


def _visible_forum(request, slug):
    return get_object_or_404(Forum.objects.visible_to(request.user), slug=slug)


def _visible_thread(request, thread_id):
    threads = Thread.objects.visible_to(request.user).select_related("forum", "case_study")
    return get_object_or_404(threads, pk=thread_id)


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
    sections: dict[str, list[Forum]] = {}
    for forum in Forum.objects.visible_to(request.user).with_last_activity():
        sections.setdefault(forum.section, []).append(forum)
    return render(request, "community/forum_index.html", {"sections": sections.items()})


@cache_page_for_visitors
def forum_detail(request, slug):
    """List a forum's threads: pinned first, sorted, optionally one tag, paginated."""
    forum = _visible_forum(request, slug)
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in THREAD_SORTS else "activity"
    tag = get_object_or_404(Tag, slug=request.GET["tag"]) if "tag" in request.GET else None
    threads = forum.threads.filter(tags=tag) if tag else forum.threads.all()
    number, page_count = _page_number(
        request, threads.count() if tag else forum.thread_count, THREADS_PER_PAGE
    )
    start = (number - 1) * THREADS_PER_PAGE
    threads = threads.sorted_by(sort).with_last_post().with_tags().with_read_state(request.user)
    context = {
        "forum": forum,
        "threads": with_unread_counts(threads[start : start + THREADS_PER_PAGE], request.user),
        "sort": sort,
        "sorts": SORT_LABELS,
        "tag": tag,
        "page": {"number": number, "count": page_count},
        "can_start_thread": can_start_thread(request.user, forum),
        "follow_levels": FollowLevel.choices,
        "follow_level": follow_level(request.user, forum=forum),
        "tag_follow_level": follow_level(request.user, tag=tag) if tag else None,
    }
    return render(request, "community/forum_detail.html", context)


@login_required
def thread_create(request, slug):
    """Start a thread: the form, a preview on request, and the thread once it is valid."""
    forum = _visible_forum(request, slug)
    allowed = can_start_thread(request.user, forum)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and not allowed:
        form.add_error(None, _("Confirm your email address before you start a thread."))
    elif request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        thread = services.thread_create(author=request.user, forum=forum, **form.cleaned_data)
        messages.success(request, _("Your thread is online."))
        return redirect(thread)
    context = {"forum": forum, "form": form, "can_start_thread": allowed}
    if request.method == "POST" and form.is_valid():
        context["preview"] = markdown.render(form.cleaned_data["body"]).html
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "community/thread_create.html", context, status=status)


@cache_page_for_visitors
def thread_detail(request, thread_id, slug):
    """Show one page of a thread's posts and, for members who may reply, the reply form."""
    thread = _visible_thread(request, thread_id)
    if slug != thread.slug:
        return redirect(f"{thread.get_absolute_url()}?{request.GET.urlencode()}".rstrip("?"))
    initial = {}
    if can_reply(request.user, thread) and request.GET.get("quote", "").isdigit():
        quoted = thread.posts.filter(pk=request.GET["quote"], is_deleted=False).first()
        initial["body"] = _quote(quoted) if quoted else ""
    return _render_thread(request, thread, PostForm(initial=initial))


@login_required
@require_POST
def post_create(request, thread_id):
    """Reply in a thread, or show a preview of the reply; errors keep what was typed."""
    thread = _visible_thread(request, thread_id)
    form = PostForm(request.POST)
    if not can_reply(request.user, thread):
        form.add_error(None, _reply_refusal(request.user, thread))
        return _render_thread(request, thread, form, status=403, last_page=True)
    if not form.is_valid():
        return _render_thread(request, thread, form, status=400, last_page=True)
    if "preview" in request.POST:
        preview = markdown.render(form.cleaned_data["body"]).html
        return _render_thread(request, thread, form, preview=preview, last_page=True)
    post = services.post_create(author=request.user, thread=thread, body=form.cleaned_data["body"])
    return redirect(_post_url(post))


def _reply_refusal(user, thread):
    if thread.is_locked:
        return _("This thread is locked: it takes no new replies. Your text is still below.")
    return _("Confirm your email address before you reply. Your text is still below.")


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
    number, page_count = _page_number(request, thread.post_count, POSTS_PER_PAGE)
    first = (number - 1) * POSTS_PER_PAGE + 1
    posts = list(
        thread.posts.for_page(request.user).filter(
            number__gte=first, number__lt=first + POSTS_PER_PAGE
        )
    )
    marker = read_marker(thread, request.user)
    if request.user.is_authenticated and posts:
        services.thread_mark_read(
            user=request.user, thread=thread, number=posts[-1].number, marker=marker
        )
    context = {
        "thread": thread,
        "forum": thread.forum,
        "posts": posts,
        "page": {"number": number, "count": page_count},
        "first_unread": marker.last_read_number + 1 if marker else None,
        "form": form,
        "preview": preview,
        "can_reply": can_reply(request.user, thread),
        "follow_level": follow_level(request.user, thread=thread),
        "follow_levels": FollowLevel.choices,
        "case_study": _linked_case_study(request.user, thread),
        "case_study_classifications": _case_study_classifications(request.user, thread),
    }
    return render(request, "community/thread_detail.html", context, status=status)


def _linked_case_study(user, thread):
    """Return the case study *thread* discusses, if *user* may see it."""
    if not thread.case_study_id:
        return None
    from knowledgebase.models import CaseStudyPage

    return CaseStudyPage.objects.visible_to(user).filter(pk=thread.case_study_id).first()


def _case_study_classifications(user, thread):
    """Return the choices of the "turn into a case study" form, for moderators only."""
    if thread.case_study_id or not is_moderator(user):
        return []
    from knowledgebase.models import Classification

    return Classification.choices


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
    form = PostForm(request.POST or None, initial={"body": post.body_markdown})
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            services.post_edit(editor=request.user, post=post, body=form.cleaned_data["body"])
            messages.success(request, _("Your changes are saved."))
            return redirect(_post_url(post))
        preview = markdown.render(form.cleaned_data["body"]).html
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"post": post, "thread": post.thread, "form": form, "preview": preview}
    return render(request, "community/post_edit.html", context, status=status)


def post_history(request, post_id):
    """Show who changed a post when, and what each edit changed."""
    post = _visible_post(request, post_id)
    if post.is_deleted:
        raise Http404(_("This post was deleted."))
    revisions = list(post.revisions.select_related("editor"))
    context = {"post": post, "thread": post.thread, "changes": revision_changes(post, revisions)}
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
        forum, target = None, {"tag": get_object_or_404(Tag, slug=key)}
        fallback = reverse("community:forum_index")
    form = FollowForm(request.POST)
    if not form.is_valid() or (forum and not can_follow(request.user, forum)):
        return HttpResponseBadRequest(_("Choose watching, normal or muted."))
    services.follow_set(user=request.user, level=form.cleaned_data["level"], **target)
    messages.success(request, _("Your notification setting is saved."))
    return redirect(_safe_next(request, fallback))


@login_required
def notification_list(request):
    """List the member's notifications, newest first, unread ones marked."""
    notifications = Notification.objects.visible_to(request.user)
    number, page_count = _page_number(request, notifications.count(), NOTIFICATIONS_PER_PAGE)
    start = (number - 1) * NOTIFICATIONS_PER_PAGE
    page = notifications.for_listing()[start : start + NOTIFICATIONS_PER_PAGE]
    context = {"notifications": page, "page": {"number": number, "count": page_count}}
    return render(request, "community/notification_list.html", context)


@login_required
@require_POST
def notifications_mark_read(request):
    """Mark one notification (``id``) or all of them read."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(user=request.user, ids=ids)
    return redirect(_safe_next(request, reverse("community:notifications")))


# People and verification ----------------------------------------------------------------------
# A profile the viewer may not see answers 404; its fields and activity go through the same rules
# as everywhere else (``profile_field_q`` / ``can_see_profile_field``, ``visible_to``).

MEMBERS_PER_PAGE = 24
RECENT_ACTIVITY = 10


def member_list(request):
    """List the members the visitor may see: filters, search by name or organisation, pages."""
    viewer = request.user
    visible = Profile.objects.visible_to(viewer)
    if not viewer.is_authenticated and not visible.exists():
        return render(request, "community/member_list.html", {"no_directory": True})
    form = DirectoryForm(
        request.GET,
        countries=_directory_countries(visible, viewer),
        expertise=ExpertiseTag.objects.filter(
            tagged_profiles__content_object__in=visible.with_field(viewer, "expertise")
        )
        .distinct()
        .order_by("name")
        .values_list("slug", "name"),
    )
    profiles = Profile.objects.for_directory(viewer, **form.filters())
    number, page_count = _page_number(request, profiles.count(), MEMBERS_PER_PAGE)
    start = (number - 1) * MEMBERS_PER_PAGE
    context = {
        "form": form,
        "profiles": profiles.for_cards()[start : start + MEMBERS_PER_PAGE],
        "page": {"number": number, "count": page_count},
        "is_filtered": bool(form.filters()),
    }
    return render(request, "community/member_list.html", context)


def _directory_countries(visible, viewer):
    from django_countries import countries

    codes = (
        visible.with_field(viewer, "country")
        .exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])


def member_detail(request, username):
    """Show a member's profile: the fields the viewer may see, and visible recent activity."""
    viewer = request.user
    profile = get_object_or_404(
        Profile.objects.visible_to(viewer).for_cards(), user__username=username
    )
    author = profile.user
    threads = Thread.objects.visible_to(viewer).filter(author=author).select_related("forum")
    posts = Post.objects.visible_to(viewer).filter(author=author, is_deleted=False, number__gt=1)
    context = {
        "profile": profile,
        "member": author,
        "threads": threads.order_by("-created_at", "-pk")[:RECENT_ACTIVITY],
        "posts": posts.select_related("thread").order_by("-created_at", "-pk")[:RECENT_ACTIVITY],
    }
    return render(request, "community/member_detail.html", context)


@login_required
def verification_settings(request):
    """Show the member's practitioner status; ask for verification or renew it."""
    user = request.user
    profile = profile_get_or_create(user=user)
    form = VerificationRequestForm(
        request.POST or None, user=user, initial=_verification_initial(user, profile, request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.verification_request_create(user=user, **form.cleaned_data)
        except services.VerificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("We sent a confirmation link to %(email)s. Open it to continue.")
                % {"email": verification.official_email},
            )
            return redirect("community:verification_settings")
    context = {
        "profile": profile,
        "form": form,
        "open_request": user.verification_requests.filter(status__in=VerificationRequest.OPEN)
        .select_related("referee")
        .first(),
        "decisions": user.verification_decisions.all()[:10],
        "is_verified": is_verified_practitioner(user),
        "can_verify": can_verify(user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "community/verification_settings.html", context, status=status)


def _verification_initial(user, profile, request):
    """Pre-fill a new request from the profile, and a renewal from the last approved request."""
    initial = {"organisation": profile.organisation, "role": profile.role}
    if "renew" in request.GET:
        last = (
            user.verification_requests.filter(status=VerificationRequest.Status.APPROVED)
            .order_by("-decided_at")
            .values("organisation", "role", "official_email")
            .first()
        )
        initial.update(last or {})
    return initial


def verification_confirm(request, token):
    """Confirm an official email address from the emailed link (a button: GET changes nothing)."""
    verification = services.verification_request_from_token(token)
    if verification is None:
        return render(request, "community/verification_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        verification = services.verification_request_confirm(request=verification)
        return render(request, "community/verification_confirm.html", {"done": verification})
    return render(request, "community/verification_confirm.html", {"verification": verification})


def _verifiers_only(request):
    if not can_verify(request.user):
        raise Http404(_("No such page."))


@login_required
def verification_queue(request):
    """List confirmed requests waiting for a verifier, and the current verified practitioners."""
    _verifiers_only(request)
    pending = VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING)
    verified = Profile.objects.verified().select_related("user").order_by("verified_until")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        verified = verified.search(request.user, query)
    context = {
        "pending": pending.select_related("user__profile", "referee").order_by(
            "email_confirmed_at"
        ),
        "unconfirmed_count": VerificationRequest.objects.filter(
            status=VerificationRequest.Status.UNCONFIRMED
        ).count(),
        "verified": verified[:50],
        "query": query,
    }
    return render(request, "community/verification_queue.html", context)


@login_required
def verification_request_detail(request, pk):
    """Show a request to a verifier: approve it with an expiry, or reject it with a reason."""
    _verifiers_only(request)
    verification = get_object_or_404(
        VerificationRequest.objects.select_related("user__profile", "referee__profile"), pk=pk
    )
    action = request.POST.get("action") if request.method == "POST" else None
    default_until = services.verification_default_until(user=verification.user)
    approve_form = VerificationApproveForm(
        request.POST if action == "approve" else None,
        prefix="approve",
        initial={"verified_until": default_until},
    )
    reject_form = VerificationReasonForm(
        request.POST if action == "reject" else None, prefix="reject"
    )
    form = {"approve": approve_form, "reject": reject_form}.get(action)
    if form is not None and form.is_valid():
        response = _verification_decide(request, verification, action, form.cleaned_data)
        if response:
            return response
    context = {
        "verification": verification,
        "approve_form": approve_form,
        "reject_form": reject_form,
    }
    status = 400 if form is not None else 200
    return render(request, "community/verification_request.html", context, status=status)


def _verification_decide(request, verification, action, data):
    try:
        if action == "approve":
            services.verification_approve(
                verifier=request.user,
                request=verification,
                until=data["verified_until"],
                reason=data["reason"],
            )
        else:
            services.verification_reject(
                verifier=request.user, request=verification, reason=data["reason"]
            )
    except services.VerificationError as error:
        messages.error(request, str(error))
        return None
    messages.success(
        request,
        _("%(member)s: the decision is saved and the member is told by email.")
        % {"member": verification.user.get_display_name()},
    )
    return redirect("community:verification_queue")


@login_required
def verification_revoke(request, username):
    """Revoke a member's current verification, with a reason the member is told."""
    _verifiers_only(request)
    member = get_object_or_404(User.objects.select_related("profile"), username=username)
    form = VerificationReasonForm(request.POST or None, prefix="revoke")
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_revoke(
                verifier=request.user, user=member, reason=form.cleaned_data["reason"]
            )
        except services.VerificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The verification of %(member)s is revoked; they are told by email.")
                % {"member": member.get_display_name()},
            )
            return redirect("community:verification_queue")
    status = 400 if request.method == "POST" else 200
    context = {"member": member, "form": form}
    return render(request, "community/verification_revoke.html", context, status=status)


# Working groups: staff create them (admin); members ask to join; managers or staff decide.


@login_required
def group_list(request):
    """List the working groups, the member's place in each, and requests waiting for managers."""
    groups = WorkingGroup.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status="member"))
    )
    mine = dict(request.user.group_memberships.values_list("group_id", "status"))
    groups = list(groups)
    for group in groups:
        group.my_status = mine.get(group.pk)
    requests = None
    if can_manage_groups(request.user):
        requests = WorkingGroupMembership.objects.filter(
            status=WorkingGroupMembership.Status.REQUESTED
        ).select_related("user", "group")
    context = {"groups": groups, "requests": requests}
    return render(request, "community/group_list.html", context)


@login_required
def group_detail(request, slug):
    """Show a working group; members see who is in it, others may ask to join."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    membership = group.memberships.filter(user=request.user).first()
    is_member = membership is not None and membership.status == "member"
    members = None
    if is_member or can_manage_groups(request.user):
        members = group.memberships.filter(status="member").select_related("user")
    context = {"group": group, "membership": membership, "members": members}
    return render(request, "community/group_detail.html", context)


@login_required
@require_POST
def group_join(request, slug):
    """Ask to join a working group."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    try:
        services.group_join_request(user=request.user, group=group)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your request to join is sent: a group manager decides."))
    return redirect("community:group_detail", slug=group.slug)


@login_required
@require_POST
def group_membership_decide(request, pk):
    """Accept or decline a request to join a working group."""
    if not can_manage_groups(request.user):
        raise Http404(_("No such page."))
    membership = get_object_or_404(WorkingGroupMembership.objects.select_related("user"), pk=pk)
    approve = request.POST.get("decision") == "accept"
    try:
        services.group_membership_decide(
            manager=request.user, membership=membership, approve=approve
        )
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The decision is saved and the member is told by email."))
    return redirect("community:group_list")


# Digest ---------------------------------------------------------------------------------------
# The one-click unsubscribe link works without logging in: its signed token is the proof. A GET
# only shows the choices (mail scanners open links); the buttons, and RFC 8058 clients, POST.

from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_http_methods  # noqa: E402

from . import digest  # noqa: E402
from .forms import DigestSettingsForm  # noqa: E402


@login_required
def digest_settings(request):
    """Let the member choose how often the digest comes and what it follows or mutes."""
    initial = DigestSettingsForm.initial_from(digest.preferences_get(user=request.user))
    form = DigestSettingsForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        digest.preferences_save(user=request.user, prefs=form.preferences())
        messages.success(request, _("Your digest settings are saved."))
        return redirect("community:settings_digest")
    status = 400 if request.method == "POST" else 200
    return render(request, "community/digest_settings.html", {"form": form}, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """Stop the digest, or only one followed item, for the member the token names."""
    try:
        unsubscribe = digest.unsubscribe_request(token)
    except digest.BadUnsubscribeToken:
        context = {"invalid": True}
        return render(request, "community/digest_unsubscribe.html", context, status=400)
    if unsubscribe is None:
        raise Http404(_("No such page."))
    context = {"unsubscribe": unsubscribe}
    if request.method == "POST":
        item = unsubscribe.item if request.POST.get("scope") == "item" else ""
        context["done"] = digest.digest_unsubscribe(user=unsubscribe.user, item=item)
    return render(request, "community/digest_unsubscribe.html", context)
