import factory
from allauth.account.models import EmailAddress

from community.models import Profile, StakeholderType, User

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email address and a stakeholder profile."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.eu")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            Profile.objects.create(
                user=self, stakeholder_type=kwargs.get("stakeholder_type", StakeholderType.CITIZEN)
            )


# Knowledge base


def make_case_study(
    title="A case study",
    *,
    publish=True,
    themes=(),
    actors=(),
    platforms=(),
    tags=(),
    parent=None,
    **fields,
):
    """Create a case study in the library (published unless told otherwise) and return it."""
    from django.utils.text import slugify

    from knowledgebase.models import Actor, CaseStudyIndexPage, CaseStudyPage, Platform, Theme

    fields.setdefault("classification", "good")
    fields.setdefault("live", False)
    fields.setdefault("summary", f"What happened in {title}.")
    page = CaseStudyPage(title=title, slug=fields.pop("slug", slugify(title)), **fields)
    page.themes = list(Theme.objects.filter(slug__in=themes))
    page.actors = list(Actor.objects.filter(code__in=actors))
    page.platforms = list(Platform.objects.filter(slug__in=platforms))
    page.tags.add(*tags)
    (parent or CaseStudyIndexPage.objects.get()).add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


def make_staff(username="staff", **fields):
    """Create a staff member with the two-factor device the middleware demands."""
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(username=username, is_staff=True, **fields)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


# Forums


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "community.WorkingGroup"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")


class ForumFactory(factory.django.DjangoModelFactory):
    """A public forum unless told otherwise; a group forum gets a working group of its own."""

    class Meta:
        model = "community.Forum"

    name = factory.Sequence(lambda n: f"Forum {n}")
    slug = factory.Sequence(lambda n: f"forum-{n}")
    audience = "public"
    group = factory.Maybe(
        factory.LazyAttribute(lambda f: f.audience == "group"),
        yes_declaration=factory.SubFactory(WorkingGroupFactory),
        no_declaration=None,
    )


def make_thread(forum=None, author=None, *, title="A thread", body="The first post.", replies=0,
                tags=None):  # fmt: skip
    """Start a thread through the service (counters stay right) with *replies* more posts."""
    from community import services

    forum = forum or ForumFactory()
    author = author or UserFactory()
    thread = services.thread_create(author=author, forum=forum, title=title, body=body, tags=tags)
    for number in range(replies):
        services.post_create(author=author, thread=thread, body=f"Reply {number + 1}.")
    thread.refresh_from_db()
    return thread


def make_staff_with_totp(username="staff", **fields):
    """Create a staff member with the two-factor device the middleware requires."""
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(username=username, is_staff=True, **fields)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user
