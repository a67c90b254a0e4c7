import datetime

import pytest
from django.utils import timezone
from django.utils.text import slugify


def make_event(title="A workshop", *, publish=True, days=30, themes=(), **fields):
    """Create an event in the listing, starting in *days* days (published unless told)."""
    from events.models import EventIndexPage, EventPage
    from knowledgebase.models import Theme

    start = timezone.now() + datetime.timedelta(days=days)
    fields.setdefault("kind", "workshop")
    fields.setdefault("summary", f"What {title} is about.")
    fields.setdefault("start_at", start)
    fields.setdefault("end_at", start + datetime.timedelta(hours=6))
    fields.setdefault("application_deadline", start - datetime.timedelta(days=3))
    fields.setdefault("city", "Brussels")
    fields.setdefault("country", "BE")
    fields.setdefault("organiser_name", "Olga Organiser")
    fields.setdefault("organiser_email", "olga@example.eu")
    fields.setdefault("live", False)
    page = EventPage(title=title, slug=fields.pop("slug", slugify(title)), **fields)
    page.themes = list(Theme.objects.filter(slug__in=themes))
    EventIndexPage.objects.get().add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


def make_organiser(username="olga"):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name="Organisers"))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@pytest.fixture
def event(db):
    return make_event()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after the commit (emails, tasks)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call
