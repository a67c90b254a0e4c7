"""Create the case study library page, the facet values and the "Case study review" workflow.

Every installation needs them: /case-studies/ is a public URL, the six themes and the actors are
the facets the design names, and no case study may be published without both reviews.
"""

from django.db import migrations

from knowledgebase.facets import PLATFORMS, THEMES

WORKFLOW_NAME = "Case study review"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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


def create_library_page(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("knowledgebase", "HomePage")
    CaseStudyIndexPage = apps.get_model("knowledgebase", "CaseStudyIndexPage")

    existing = CaseStudyIndexPage.objects.first()
    if existing:
        return existing
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return None
    content_type, _ = ContentType.objects.get_or_create(
        app_label="knowledgebase", model="casestudyindexpage"
    )
    title = "Case studies"
    index = CaseStudyIndexPage.objects.create(
        title=title,
        draft_title=title,
        slug="case-studies",
        content_type=content_type,
        path=next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}case-studies/",
        locale_id=home.locale_id,
        live=True,
        intro=(
            "The good, the bad and the ugly of social media in public security: case studies "
            "curated by editors and reviewed for ethics and privacy before they are published."
        ),
    )
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)
    return index


def create_facets(apps):
    Theme = apps.get_model("knowledgebase", "Theme")
    Platform = apps.get_model("knowledgebase", "Platform")
    Actor = apps.get_model("knowledgebase", "Actor")
    for slug, name, description in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for slug, name in PLATFORMS:
        Platform.objects.get_or_create(slug=slug, defaults={"name": name})
    for code in ["law-enforcement", "citizens", "criminals", "businesses", "media"]:
        Actor.objects.get_or_create(code=code)


def create_workflow(apps, index):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    EthicsReviewTask = apps.get_model("knowledgebase", "EthicsReviewTask")

    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        editorial = GroupApprovalTask.objects.create(
            name="Editorial review",
            content_type=ContentType.objects.get_or_create(
                app_label="wagtailcore", model="groupapprovaltask"
            )[0],
        )
        editorial.groups.add(editors)
        ethics = EthicsReviewTask.objects.create(
            name="Ethics and privacy review",
            content_type=ContentType.objects.get_or_create(
                app_label="knowledgebase", model="ethicsreviewtask"
            )[0],
        )
        ethics.groups.add(moderators)
        WorkflowTask.objects.create(workflow=workflow, task=editorial, sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task=ethics, sort_order=1)
    if index is not None:
        WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


def grant_editors_the_facets(apps):
    """Let editors maintain themes and platforms as snippets."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    for model in ["theme", "platform"]:
        content_type, _ = ContentType.objects.get_or_create(app_label="knowledgebase", model=model)
        for action in ["add", "change", "delete"]:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            editors.permissions.add(permission)


def forwards(apps, schema_editor):
    index = create_library_page(apps)
    create_facets(apps)
    create_workflow(apps, index)
    grant_editors_the_facets(apps)


def backwards(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()
    apps.get_model("knowledgebase", "CaseStudyIndexPage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0003_case_studies"),
        ("wagtailcore", "0098_apitoken"),
        ("community", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
