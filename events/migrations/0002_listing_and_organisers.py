"""Create the /events/ listing page under the home page, put it under the review workflow of
case studies, and create the Organisers group (a role that needs two-factor)."""

from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WORKFLOW_NAME = "Case study review"


def next_child_path(Page, parent):
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = int(last[-4:], 36) + 1 if last else 1
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return parent.path + digits.rjust(4, "0")


def create_listing(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("knowledgebase", "HomePage")
    EventIndexPage = apps.get_model("events", "EventIndexPage")

    existing = EventIndexPage.objects.first()
    if existing:
        return existing
    home = HomePage.objects.order_by("path").first()
    if home is None or Page.objects.filter(url_path=f"{home.url_path}events/").exists():
        return None
    content_type, _ = ContentType.objects.get_or_create(app_label="events", model="eventindexpage")
    title = "Events"
    index = EventIndexPage.objects.create(
        title=title,
        draft_title=title,
        slug="events",
        content_type=content_type,
        path=next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}events/",
        locale_id=home.locale_id,
        live=True,
        intro=(
            "Workshops, webinars, conferences and exercises where police, authorities, "
            "researchers and citizens meet."
        ),
    )
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)
    return index


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    Group.objects.get_or_create(name="Organisers")
    index = create_listing(apps)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if index is not None and workflow is not None:
        WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("knowledgebase", "0010_audience_mixin"),
        ("community", "0020_audience_mixin"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
