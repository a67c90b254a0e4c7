from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    ExpertiseTag,
    Forum,
    Post,
    Profile,
    Thread,
    User,
    VerificationDecision,
    VerificationDomain,
    VerificationRequest,
    WorkingGroup,
    WorkingGroupMembership,
)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "display_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["username", "email", "display_name"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Community"), {"fields": ["display_name", "suspended_until"]}),
    )
    readonly_fields = ["suspended_until"]
    actions = ["erase_accounts"]

    @admin.action(description=_("Erase accounts on the members' request (privacy)"))
    def erase_accounts(self, request, queryset):
        """Erase members who asked for it but cannot sign in, after a confirmation page."""
        from .models import AccountErasure
        from .services.privacy import account_erase

        queryset = queryset.exclude(pk=request.user.pk)
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase these accounts?"),
                "members": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/community/erase_confirmation.html", context)
        count = 0
        for user in queryset:
            account_erase(
                user=user, initiator=AccountErasure.Initiator.STAFF, processed_by=request.user
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d account was erased.", "%(count)d accounts were erased.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        return None


class WorkingGroupMembershipInline(admin.TabularInline):
    model = WorkingGroupMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_open_to_requests"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkingGroupMembershipInline]


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "audience", "group", "position", "thread_count"]
    list_filter = ["audience"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "forum", "author", "post_count", "is_pinned", "is_locked"]
    list_filter = ["forum", "is_pinned", "is_locked"]
    search_fields = ["title"]
    raw_id_fields = ["author", "case_study"]
    fields = ["forum", "title", "slug", "tags", "is_pinned", "is_locked", "case_study", "author"]

    def get_readonly_fields(self, request, obj=None):
        # A title changes through a moderator's edit of the opening post (review queue): logged,
        # with a reason, the old title kept for moderators only and out of the slug.
        return ["title", "slug"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Save the thread; a move to another forum goes through the service, so counts follow."""
        if change and "forum" in form.changed_data:
            services.thread_move(thread=Thread.objects.get(pk=obj.pk), forum=obj.forum)
        super().save_model(request, obj, form, change)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["thread", "number", "author", "created_at", "is_deleted"]
    list_filter = ["is_deleted"]
    raw_id_fields = ["thread", "author"]
    readonly_fields = ["thread", "number", "author", "body_markdown"]
    fields = ["thread", "number", "author", "body_markdown"]


# People and verification


@admin.register(VerificationDomain)
class VerificationDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation", "include_subdomains", "created_at"]
    search_fields = ["domain", "organisation"]


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "official_email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "organisation", "official_email"]
    raw_id_fields = ["user", "referee"]
    readonly_fields = ["created_at", "email_confirmed_at", "decided_at"]


@admin.register(VerificationDecision)
class VerificationDecisionAdmin(admin.ModelAdmin):
    """The decision log: read-only, so it stays a faithful record."""

    list_display = ["user", "action", "decided_by", "verified_until", "created_at"]
    list_filter = ["action"]
    search_fields = ["user__username", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertiseTag)
class ExpertiseTagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


# Read-only admins: records the code writes (the digest app's ledger uses it too).


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Reliability: what waits for the broker or the SMTP server (read-only, for operators).

from .models import EmailDelivery, OutboxTask  # noqa: E402


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "task", "key", "status", "sends", "failed_publishes"]
    list_filter = ["status", "task"]
    search_fields = ["key"]
    date_hierarchy = "created_at"


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["claimed_at", "kind", "key", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key"]
    date_hierarchy = "claimed_at"


# Moderation: watched words are managed here by staff; the log, flags and appeals are read-only.

from .models import Appeal, Flag, ModerationAction, WatchedWord  # noqa: E402


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ["pattern", "kind", "is_active", "note", "created_at"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["pattern", "note"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "moderator", "member", "rule", "reason"]
    list_filter = ["kind", "rule"]
    search_fields = ["reason", "moderator__username", "member__username"]
    date_hierarchy = "created_at"
    list_select_related = ["moderator", "member"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "post", "flagger", "reason", "resolved_at"]
    list_filter = ["reason"]
    list_select_related = ["post__thread", "flagger"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "appellant", "action", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["appellant", "action"]
