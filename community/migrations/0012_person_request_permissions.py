from django.db import migrations

PERMISSIONS = ["view_personrequest", "change_personrequest"]


def grant_person_request_permissions(apps, schema_editor):
    """Let editors work through requests from people in case studies in the Wagtail admin."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are otherwise only created after all migrations ran (post_migrate).
    create_permissions(global_apps.get_app_config("community"), verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="community", codename__in=PERMISSIONS
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0011_search"),
    ]

    operations = [
        migrations.RunPython(grant_person_request_permissions, migrations.RunPython.noop)
    ]
