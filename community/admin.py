from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Profile, User, WorkingGroup, WorkingGroupMembership


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
