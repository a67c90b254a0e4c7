"""Give the Editors and Moderators groups the Wagtail page and collection permissions of their roles.

Wagtail's initial data lets Moderators publish, lock and edit every page: with it, a moderator was
offered Publish next to the ethics checklist, past the review. Now no group publishes (a completed
workflow does, ``knowledgebase.review``):

- Editors write every page (add, change) and submit it for review; they add, change and choose
  documents and images in every collection.
- Moderators review (the ethics step opens a case study's editor to them) and start draft case
  studies from threads in the library (add: their own drafts only); no documents or images.

The rows are set, not added to, so an existing installation ends up like a fresh one.
"""

from django.db import migrations

COLLECTION_MODELS = [("wagtaildocs", "document"), ("wagtailimages", "image")]


def permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    found, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return found


def set_page_permissions(apps, group, grants):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(group=group).delete()
    for page, codename in grants:
        if page is not None:
            GroupPagePermission.objects.create(
                group=group, page=page, permission=permission(apps, "wagtailcore", "page", codename)
            )


def set_collection_permissions(apps, group, collection, actions):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(group=group).delete()
    for app_label, model in COLLECTION_MODELS:
        # Wagtail reads these from collections; the model-wide leftovers only mislead.
        group.permissions.remove(
            *[
                permission(apps, app_label, model, f"{action}_{model}")
                for action in ["add", "change", "choose", "delete"]
            ]
        )
        for action in actions:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=collection,
                permission=permission(apps, app_label, model, f"{action}_{model}"),
            )


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    CaseStudyIndexPage = apps.get_model("knowledgebase", "CaseStudyIndexPage")

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    library = CaseStudyIndexPage.objects.order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators, _ = Group.objects.get_or_create(name="Moderators")

    set_page_permissions(apps, editors, [(root_page, "add_page"), (root_page, "change_page")])
    set_page_permissions(apps, moderators, [(library, "add_page")])
    if root_collection is not None:
        set_collection_permissions(apps, editors, root_collection, ["add", "change", "choose"])
        set_collection_permissions(apps, moderators, root_collection, [])


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0008_move_documents_to_private_storage"),
        ("community", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
