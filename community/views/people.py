"""Member directory, profiles, practitioner verification and working groups."""

from allauth.account.views import ConfirmEmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..accounts import is_used_confirmation_key
from ..forms import (
    DirectoryForm,
    VerificationApproveForm,
    VerificationReasonForm,
    VerificationRequestForm,
)
from ..models import (
    ExpertiseTag,
    Post,
    Profile,
    Thread,
    User,
    VerificationRequest,
    WorkingGroup,
    WorkingGroupMembership,
)
from ..permissions import (
    can_manage_groups,
    can_verify,
    is_verified_practitioner,
)
from ..presenters import linkable_mentions
from ..services import profile_get_or_create
from .forums import page_number
from .site import to_last_page

# A profile the viewer may not see answers 404; its fields and activity go through the same rules
# as everywhere else (``profile_field_q`` / ``can_see_profile_field``, ``visible_to``).

MEMBERS_PER_PAGE = 24
RECENT_ACTIVITY = 10


@to_last_page
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
    number, page_count = page_number(request, profiles.count(), MEMBERS_PER_PAGE)
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
        "linkable": linkable_mentions(viewer, [profile.bio_html]),
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


class EmailConfirmView(ConfirmEmailView):
    """allauth's confirmation page, telling a used link apart from an expired or forged one."""

    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except Http404:  # pressed twice, or the link opened again in another tab
            self.object = None
            return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is None:
            context["is_already_confirmed"] = is_used_confirmation_key(self.kwargs["key"])
        return context


email_confirm = EmailConfirmView.as_view()
