"""An event's materials follow its audience: slides are served only to who may see the event,
and a non-public event takes its slides from a private collection only."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from events.models import EventDocument
from tests.events.conftest import make_event
from tests.factories import VISIBLE_AUDIENCES, make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def slides(title, *, private: bool):
    collection = Collection.get_first_root_node()
    if private:
        collection = collection.add_child(name=f"Slides of {title}")
        CollectionViewRestriction.objects.create(collection=collection, restriction_type="login")
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 slides", name="slides.pdf"), collection=collection
    )


def attach(event, document):
    link = EventDocument(page=event, document=document, sort_order=0)
    link.full_clean(exclude=["page"])
    link.save()
    return document


@pytest.fixture
def materials(db):
    found = {}
    for audience in ["public", "members", "verified"]:
        event = make_event(f"Workshop for {audience}", audience=audience, days=-10)
        document = slides(f"Slides {audience}", private=audience != "public")
        found[audience] = (event, attach(event, document))
    return found


@pytest.mark.parametrize("actor", ["anonymous", "member", "verified"])
def test_slides_are_served_to_those_who_may_see_the_event(client, materials, actor):
    user = make_actor(actor)
    if user:
        client.force_login(user)
    for audience, (event, document) in materials.items():
        may = audience in VISIBLE_AUDIENCES[actor]
        assert client.get(document.url).status_code == (200 if may else 404), audience
        page = client.get(f"{event.url}?when=past")
        assert page.status_code == (200 if may else 404)
        if may:
            assert document.url in page.content.decode()


def test_a_non_public_event_takes_its_slides_from_a_private_collection_only(db):
    event = make_event("Verified workshop", audience="verified")
    link = EventDocument(page=event, document=slides("Open slides", private=False), sort_order=0)
    with pytest.raises(ValidationError, match="private collection"):
        link.full_clean(exclude=["page"])
