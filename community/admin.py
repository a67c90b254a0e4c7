from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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
        (_("Community"), {"fields": ["display_name"]}),
    )


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
