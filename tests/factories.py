import datetime
import re

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

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
    # An established member: new accounts (community.limits) are made explicitly, with
    # ``date_joined=timezone.now()``, by the tests about them.
    date_joined = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def consented(self, create, extracted, **kwargs):
        """Accept the current terms and privacy notice, unless told ``consented=False``."""
        if create and extracted is not False:
            from community.services.privacy import consent_record

            consent_record(user=self)

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


# People


# The access matrix (ARCHITECTURE.md): each kind of actor and the audiences it may see.
AUDIENCES = ["public", "members", "verified", "group"]
VISIBLE_AUDIENCES = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "verified": {"public", "members", "verified"},
    "group_member": {"public", "members", "group"},
    "staff": {"public", "members", "verified", "group"},
}
ACCESS_MATRIX = [(actor, audience) for actor in VISIBLE_AUDIENCES for audience in AUDIENCES]


def as_told(response, asked):
    """Return what *response* tells its visitor: status, redirect and page, with the value *asked*
    for and what changes on every request (nonce, CSRF token) blanked out.

    Something a visitor may not see must answer exactly like something that does not exist:
    ``as_told(restricted, "only-verified") == as_told(missing, "no-such-tag")``.
    """
    told = f"{response.status_code} {response.get('Location', '')}\n{response.content.decode()}"
    told = re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"', r'\1=""', told)
    return told.replace(asked, "<asked>")


def make_actor(actor, *, group=None):
    """Return a member of the kind *actor* (None for "anonymous"); a group member joins *group*."""
    from community.models import WorkingGroupMembership

    if actor == "anonymous":
        return None
    if actor == "staff":
        return make_staff("staff-actor")
    user = UserFactory(username=actor)
    if actor == "verified":
        make_verified(user, days=30)
    if actor == "group_member":
        WorkingGroupMembership.objects.create(
            group=group, user=user, status=WorkingGroupMembership.Status.MEMBER
        )
    return user


def narrow_after_publication(client, capture, *, forums, threads, studies=None):
    """Narrow public *forums* and *threads* to their audiences after a visitor saw them.

    The matrices' "audience changed after publication" case: each thread (``threads[audience]``)
    is the discussion of a public case study (one of *studies*, or a new one) and every forum is
    public while an anonymous *client* has its pages cached. Then an editor narrows each forum to
    its audience in the admin, and publishes each case study again with that audience, which
    moves its discussion to that forum. *capture* is pytest-django's on-commit fixture.
    """
    from community.models import Thread
    from knowledgebase.models import CaseStudyPage

    group = WorkingGroupFactory()
    studies = studies or {
        audience: make_case_study(f"Discussed case {audience}") for audience in threads
    }
    client.get("/forums/")
    for audience, thread in threads.items():
        Thread.objects.filter(pk=thread.pk).update(case_study=studies[audience])
        client.get(thread.get_absolute_url())
    with capture(execute=True):
        for audience, forum in forums.items():
            forum.audience, forum.group = audience, group if audience == "group" else None
            forum.save()
        for audience, study in studies.items():
            page = CaseStudyPage.objects.get(pk=study.pk)
            page.audience, page.group = audience, group if audience == "group" else None
            page.save_revision().publish()
    for thread in threads.values():
        thread.refresh_from_db()


def make_verified(user, *, days=180):
    """Make *user* a verified practitioner for *days* more days; return the user."""
    import datetime

    from django.utils import timezone

    Profile.objects.filter(user=user).update(
        verified_until=timezone.localdate() + datetime.timedelta(days=days)
    )
    user.refresh_from_db()
    return user


def make_verifier(username="verifier", **fields):
    """Create a member of the Verifiers group with the two-factor device the role requires."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name="Verifiers"))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


class VerificationDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "community.VerificationDomain"
        django_get_or_create = ("domain",)

    domain = "police.example.eu"
    organisation = "Example Police"


def set_visibility(user, **levels):
    """Set who sees which fields of *user*'s profile (``profile="public"``, ...)."""
    profile = Profile.objects.get(user=user)
    profile.visibility = {**profile.visibility, **levels}
    profile.save(update_fields=["visibility"])
    return profile


# Digest


def subscribe(user, frequency="weekly"):
    """Give *user* the digest at *frequency*; return the subscription."""
    from community.models import DigestSubscription

    subscription, _created = DigestSubscription.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return subscription


def digest_period(kind="weekly"):
    """Return (start, end) of the period the next digest run covers."""
    from digest.periods import period_for

    return period_for(kind)


def during_period(kind="weekly", *, hours=24):
    """Return a moment inside the period the next run covers, *hours* after its start."""
    import datetime

    return digest_period(kind)[0] + datetime.timedelta(hours=hours)


def backdate(obj, when):
    """Move a thread (with its posts), a post or a case study to *when*, as if written then."""
    from community.models import Post, Thread

    if isinstance(obj, Thread):
        Thread.objects.filter(pk=obj.pk).update(created_at=when, last_activity_at=when)
        Post.objects.filter(thread=obj).update(created_at=when)
    elif isinstance(obj, Post):
        Post.objects.filter(pk=obj.pk).update(created_at=when)
    else:
        type(obj).objects.filter(pk=obj.pk).update(first_published_at=when)
    obj.refresh_from_db()
    return obj


def make_moderator(username="moderator", **fields):
    """Create a member of the Moderators group with the two-factor device the middleware demands."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name="Moderators"))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user
