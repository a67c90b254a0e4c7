"""Make a HomePage the site root, with the standard pages every installation needs."""

from django.db import migrations

STANDARD_PAGES = [
    (
        "about",
        "About the community",
        "A meeting place for the people who plan and deliver public security in Europe.",
        "<p>The MEDI@4SEC Community Portal brings together police officers, security organisations, "
        "public authorities, researchers, civil society and engaged citizens to learn from each other "
        "how social media is used in public security: <b>the good</b> (problem solving, fighting crime, "
        "reducing fear of crime), <b>the bad</b> (social media that helps digitised crime and terrorism) "
        "and <b>the ugly</b> (trolling, cyberbullying, threats, live-sharing of tactical operations).</p>"
        "<p>Editors curate case studies that are reviewed for accuracy, ethics and privacy before they "
        "are published. Members discuss them, and their own experience, in practitioner forums; some "
        "forums are open only to verified practitioners.</p>",
    ),
    (
        "code-of-conduct",
        "Code of conduct",
        "How we talk to each other here.",
        "<ol><li>Be respectful. Disagree with arguments, not with people.</li>"
        "<li>Never post operational details of ongoing operations or investigations.</li>"
        "<li>Never post personal data of identifiable people, and in particular of victims or minors, "
        "without a legal basis.</li>"
        "<li>Cite your sources. Mark opinions as opinions.</li>"
        "<li>No harassment, hate speech, threats, spam or advertising.</li>"
        "<li>Report what breaks these rules with the flag button; moderators review every report.</li>"
        "</ol><p>Moderators may hide posts, lock threads and suspend accounts that break these rules. "
        "Every decision is explained to the member concerned, who can appeal once.</p>",
    ),
    (
        "privacy",
        "Privacy notice",
        "What we keep about you, why, and for how long.",
        "<p>We keep what you give us to run the community: your email address, your profile, the "
        "posts you write and your preferences. Verification requests are seen only by verifiers. "
        "We use no third-party analytics, fonts, scripts or trackers, and send no data to other "
        "hosts.</p><p>You can export your data and delete your account from your settings at any "
        "time. Posts you wrote stay in their discussions, attributed to a former member.</p>",
    ),
    (
        "accessibility",
        "Accessibility statement",
        "The portal aims to meet WCAG 2.2 at level AA.",
        "<p>Pages use semantic HTML, labelled forms and visible focus; every function works with a "
        "keyboard alone; colours meet AA contrast in the light and the dark theme; text reflows "
        "from 320 pixels wide and at 200% zoom. Automated checks (axe-core) run on every change.</p>"
        "<p>If something is hard to use for you, tell us through the contact address in the footer "
        "and we will answer within ten working days.</p>",
    ),
]


def create_site_root(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("knowledgebase", "HomePage")
    StandardPage = apps.get_model("knowledgebase", "StandardPage")

    # Wagtail's initial data holds a plain "Welcome" page at depth 2; the site cascades with it.
    Page.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", depth=2
    ).delete()
    locale = Locale.objects.order_by("pk").first()
    home_type, _ = ContentType.objects.get_or_create(app_label="knowledgebase", model="homepage")
    standard_type, _ = ContentType.objects.get_or_create(
        app_label="knowledgebase", model="standardpage"
    )
    home = HomePage.objects.create(
        title="MEDI@4SEC Community Portal",
        draft_title="MEDI@4SEC Community Portal",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=len(STANDARD_PAGES),
        url_path="/home/",
        locale=locale,
        live=True,
        intro=(
            "Police, security organisations, authorities, researchers and citizens learn from each "
            "other how to use social media for public security: the good, the bad and the ugly."
        ),
        join_call="Join practitioners across Europe who share what works, and what does not.",
    )
    for position, (slug, title, intro, body) in enumerate(STANDARD_PAGES, start=1):
        StandardPage.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=standard_type,
            path=f"00010001{position:04d}",
            depth=3,
            numchild=0,
            url_path=f"/home/{slug}/",
            locale=locale,
            live=True,
            intro=intro,
            body=body,
        )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.create(
        hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
        site_name="MEDI@4SEC Community Portal",
    )


def remove_site_root(apps, schema_editor):
    apps.get_model("knowledgebase", "HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0001_initial"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(create_site_root, remove_site_root)]
