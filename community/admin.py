from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Profile, User


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
