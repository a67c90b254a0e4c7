from django.db import migrations

VERIFIER_PERMISSIONS = ["view_verificationrequest", "change_verificationrequest"]


def grant_verifier_permissions(apps, schema_editor):
    """Let the Verifiers group work the verification queue."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are otherwise only created after all migrations ran (post_migrate).
    create_permissions(global_apps.get_app_config("community"), verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="community", codename__in=VERIFIER_PERMISSIONS
    )
    group, _created = Group.objects.get_or_create(name="Verifiers")
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_people_and_verification"),
    ]

    operations = [migrations.RunPython(grant_verifier_permissions, migrations.RunPython.noop)]
