from django.db import migrations

ROLE_GROUPS = ["Editors", "Moderators", "Verifiers"]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    for name in ROLE_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        if access_admin and name in {"Editors", "Moderators"}:
            group.permissions.add(access_admin)


def remove_verifiers(apps, schema_editor):
    # Editors and Moderators belong to Wagtail's own initial data; only ours goes.
    apps.get_model("auth", "Group").objects.filter(name="Verifiers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_verifiers)]
