"""Move Wagtail documents from ``wagtaildocs.Document`` (files under MEDIA_ROOT, where ``/media/``
could reach them) to ``knowledgebase.PortalDocument`` (files under PRIVATE_MEDIA_ROOT).

Ids stay the same, so links to documents in rich text and ``/documents/<id>/<name>`` URLs keep
working; tags, references, history and search entries follow. Each file is copied to the new
storage inside the migration and its original deleted only once the migration has committed, so
a failed run leaves every original in place and can simply be run again.
"""

from django.core.management.color import no_style
from django.db import migrations, transaction

# Rows of other tables that point at a document through its content type.
CONTENT_TYPE_LINKS = [
    ("taggit", "TaggedItem", ["content_type"]),
    ("wagtailcore", "ReferenceIndex", ["content_type", "base_content_type", "to_content_type"]),
    ("wagtailcore", "ModelLogEntry", ["content_type"]),
    ("wagtailsearch", "IndexEntry", ["content_type"]),
]
COPIED_FIELDS = [
    "id",
    "title",
    "collection_id",
    "uploaded_by_user_id",
    "file_size",
    "file_hash",
]


def transfer(source_label, target_label):
    """Return a migration step that moves every document from *source_label* to *target_label*."""

    def step(apps, schema_editor):
        db = schema_editor.connection.alias
        Source = apps.get_model(source_label)
        Target = apps.get_model(target_label)
        documents = list(Source.objects.using(db).order_by("pk"))
        if not documents:
            return
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.db_manager(db)
        source_type, _ = types.get_or_create(
            app_label=Source._meta.app_label, model=Source._meta.model_name
        )
        target_type, _ = types.get_or_create(
            app_label=Target._meta.app_label, model=Target._meta.model_name
        )
        source_storage = Source._meta.get_field("file").storage
        target_field = Target._meta.get_field("file")

        copies, originals = [], []
        for document in documents:
            name = document.file.name
            if name and source_storage.exists(name):
                with source_storage.open(name, "rb") as content:
                    copied = target_field.storage.save(
                        name, content, max_length=target_field.max_length
                    )
                originals.append(name)
            else:
                copied = name  # a file already lost stays lost, and the row says so
            copy = Target(file=copied, **{f: getattr(document, f) for f in COPIED_FIELDS})
            copies.append((copy, document.created_at))
        Target.objects.using(db).bulk_create([copy for copy, _created_at in copies])
        # bulk_create stamps auto_now_add fields with the present moment: put the upload date back.
        for copy, created_at in copies:
            copy.created_at = created_at
        Target.objects.using(db).bulk_update([copy for copy, _ in copies], ["created_at"])

        for app_label, model_name, fields in CONTENT_TYPE_LINKS:
            Linked = apps.get_model(app_label, model_name)
            for field in fields:
                Linked.objects.using(db).filter(**{field: source_type}).update(
                    **{field: target_type}
                )
        Source.objects.using(db).filter(pk__in=[d.pk for d in documents]).delete()

        with schema_editor.connection.cursor() as cursor:
            for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Target]):
                cursor.execute(sql)

        def delete_originals():
            for name in originals:
                source_storage.delete(name)

        transaction.on_commit(delete_originals, using=db)

    return step


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0007_portal_document"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        migrations.RunPython(
            transfer("wagtaildocs.Document", "knowledgebase.PortalDocument"),
            transfer("knowledgebase.PortalDocument", "wagtaildocs.Document"),
        ),
    ]
