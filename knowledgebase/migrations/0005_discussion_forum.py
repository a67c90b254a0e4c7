"""Create the public forum where case studies are discussed (CASE_STUDY_DISCUSSION_FORUMS)."""

from django.db import migrations


def create_forum(apps, schema_editor):
    Forum = apps.get_model("community", "Forum")
    Forum.objects.get_or_create(
        slug="case-study-discussions",
        defaults={
            "name": "Case study discussions",
            "section": "Knowledge base",
            "position": 90,
            "audience": "public",
            "description": "One thread per published case study: what would you have done?",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0004_library_and_review_workflow"),
        ("community", "0004_forums"),
    ]

    operations = [migrations.RunPython(create_forum, migrations.RunPython.noop)]
