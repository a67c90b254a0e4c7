from django.db import migrations

FORUM_PERMISSIONS = ["add_forum", "change_forum", "delete_forum", "view_forum"]


def grant_forum_permissions(apps, schema_editor):
    """Let editors and moderators manage forums in the Wagtail admin (snippets)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are otherwise only created after all migrations ran (post_migrate).
    create_permissions(global_apps.get_app_config("community"), verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="community", codename__in=FORUM_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_forums"),
    ]

    operations = [migrations.RunPython(grant_forum_permissions, migrations.RunPython.noop)]
