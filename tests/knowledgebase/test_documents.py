"""Wagtail documents: kept out of ``/media/``, served only by Wagtail's view, 404 to outsiders.

A document in a private collection must not be downloadable by any spelling of a ``/media/`` path,
and a restricted document or page answers whoever may not see it exactly like one that does not
exist: 404, never a log-in redirect or a password form that says something is there.
"""

import datetime
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.documents.models import Document as WagtailDocument
from wagtail.models import (
    BaseViewRestriction,
    Collection,
    CollectionViewRestriction,
    PageViewRestriction,
)

from knowledgebase.models import HomePage, StandardPage
from tests.factories import UserFactory, make_case_study
from tests.knowledgebase.test_roles import sign_in

pytestmark = pytest.mark.django_db

SECRET = b"%PDF-1.4 the operational plan"

# Spellings of /media/<something> that a server may resolve into the documents folder. The test
# client decodes %XX once, as gunicorn does, so "%252e" reaches the view as a literal "%2e".
TRAVERSALS = [
    "{name}",
    "./{name}",
    "%2e/{name}",
    "%2E/{name}",
    ".%2f{name}",
    "%2e%2f{name}",
    "images/../{name}",
    "images/%2e%2e/{name}",
    "images/%2E%2E%2f{name}",
    "avatars/..%2f{name}",
    "original_images/./../{name}",
    "/{name}",
    "//{name}",
    "images//..//{name}",
    ".//{name}",
    "documents/./{file}",
    "documents//{file}",
    "documents%2f{file}",
    "images/../documents/../{name}",
    "images\\..\\{name}",
    "images/..\\{name}",
    "documents\\{file}",
    "%252e/{name}",
    "%252e%252e/{name}",
    "Documents/{file}",
    "DOCUMENTS/{file}",
    "documents./{file}",
    "documents../{file}",
    "{name}.",
    "{name}/",
    "{name}%00",
    "{name}%20",
    "../private/{name}",
    "images/../../private/{name}",
    "%2e%2e/private/{name}",
    "..%2fprivate%2f{name}",
]


@pytest.fixture
def roots(settings, tmp_path):
    """Give media and private files their own folders side by side, as in production."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir()
    return tmp_path


def private_collection(name, restriction_type, groups=()):
    collection = Collection.get_first_root_node().add_child(name=name)
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=restriction_type, password="shared-secret"
    )
    restriction.groups.set(groups)
    return collection


def upload(collection=None, name="plan.pdf"):
    return get_document_model().objects.create(
        title="Operational plan",
        file=ContentFile(SECRET, name=name),
        collection=collection or Collection.get_first_root_node(),
    )


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("variant", TRAVERSALS)
def test_no_media_path_reaches_a_private_document(client, settings, roots, debug, variant):
    settings.DEBUG = debug
    document = upload(private_collection("Restricted", BaseViewRestriction.LOGIN))
    name = document.file.name
    path = variant.format(name=name, file=Path(name).name)

    response = client.get(f"/media/{path}")

    assert response.status_code == 404
    assert SECRET not in body(response)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("variant", TRAVERSALS)
def test_a_document_left_under_media_by_an_older_install_is_not_served(
    client, settings, roots, debug, variant
):
    settings.DEBUG = debug
    (settings.MEDIA_ROOT / "documents").mkdir()
    (settings.MEDIA_ROOT / "documents" / "plan.pdf").write_bytes(SECRET)
    path = variant.format(name="documents/plan.pdf", file="plan.pdf")

    response = client.get(f"/media/{path}")

    assert response.status_code == 404
    assert SECRET not in body(response)


def test_documents_are_stored_outside_the_media_folder(roots, settings):
    document = upload()

    stored = Path(document.file.path)
    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert stored.read_bytes() == SECRET
    assert not any(settings.MEDIA_ROOT.rglob("*"))


def test_a_public_document_is_served_by_its_view_as_a_download(client, roots):
    document = upload()

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert body(response) == SECRET


def test_a_document_for_signed_in_members_is_404_to_anonymous_visitors(client, roots):
    document = upload(private_collection("Members", BaseViewRestriction.LOGIN))

    response = client.get(document.url)
    assert response.status_code == 404
    assert "Location" not in response
    assert SECRET not in body(response)

    client.force_login(UserFactory())
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == SECRET


@pytest.mark.parametrize("viewer", ["anonymous", "outsider"])
def test_a_group_document_is_404_to_everyone_outside_the_group(client, roots, viewer):
    planners = Group.objects.create(name="Planners")
    document = upload(private_collection("Planning", BaseViewRestriction.GROUPS, [planners]))
    if viewer == "outsider":
        client.force_login(UserFactory())

    response = client.get(document.url)

    assert response.status_code == 404
    assert "Location" not in response
    assert SECRET not in body(response)


def test_a_group_document_is_served_to_the_group(client, roots):
    planners = Group.objects.create(name="Planners")
    document = upload(private_collection("Planning", BaseViewRestriction.GROUPS, [planners]))
    insider = UserFactory()
    insider.groups.add(planners)
    client.force_login(insider)

    response = client.get(document.url)

    assert response.status_code == 200
    assert body(response) == SECRET


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_a_password_collection_shows_no_password_form(client, roots, viewer):
    """Shared passwords are not part of the access model: such a document is 404 to everyone."""
    document = upload(private_collection("Shared", BaseViewRestriction.PASSWORD))
    if viewer == "member":
        client.force_login(UserFactory())

    response = client.get(document.url)

    assert response.status_code == 404
    assert b'name="password"' not in body(response)


def test_editors_are_not_offered_shared_passwords():
    from wagtail.admin.forms.collections import CollectionViewRestrictionForm
    from wagtail.admin.forms.pages import PageViewRestrictionForm

    page_form = PageViewRestrictionForm(private_page_options=StandardPage.private_page_options)
    for form in (CollectionViewRestrictionForm(), page_form):
        offered = {value for value, _label in form.fields["restriction_type"].choices}
        assert BaseViewRestriction.PASSWORD not in offered
        assert BaseViewRestriction.LOGIN in offered


# Pages: Wagtail's own privacy setting follows the same rule as the audience.


def restrict(page, restriction_type, groups=()):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=restriction_type, password="shared-secret"
    )
    restriction.groups.set(groups)


@pytest.fixture
def standard_page(db):
    page = StandardPage(title="Internal briefing", slug="internal-briefing")
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.mark.parametrize("kind", ["standard", "case_study"])
def test_a_page_for_signed_in_members_is_404_to_anonymous_visitors(client, standard_page, kind):
    page = standard_page if kind == "standard" else make_case_study("Kettling at the bridge")
    restrict(page, BaseViewRestriction.LOGIN)

    response = client.get(page.url)
    assert response.status_code == 404
    assert "Location" not in response
    assert page.title.encode() not in response.content

    client.force_login(UserFactory())
    assert client.get(page.url).status_code == 200


@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "insider"])
def test_a_page_for_one_group_is_404_to_everyone_else(client, standard_page, viewer):
    planners = Group.objects.create(name="Planners")
    restrict(standard_page, BaseViewRestriction.GROUPS, [planners])
    if viewer != "anonymous":
        user = UserFactory()
        if viewer == "insider":
            user.groups.add(planners)
        client.force_login(user)

    response = client.get(standard_page.url)

    assert response.status_code == (200 if viewer == "insider" else 404)
    assert "Location" not in response


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_a_password_page_shows_no_password_form(client, standard_page, viewer):
    restrict(standard_page, BaseViewRestriction.PASSWORD)
    if viewer == "member":
        client.force_login(UserFactory())

    response = client.get(standard_page.url)

    assert response.status_code == 404
    assert b'name="password"' not in response.content


# Upgrading an install whose documents were stored under MEDIA_ROOT.


def test_upgrading_moves_existing_documents_out_of_media(
    client, roots, settings, django_capture_on_commit_callbacks
):
    uploaded_at = timezone.now() - datetime.timedelta(days=400)
    old = WagtailDocument.objects.create(
        title="Operational plan",
        file=ContentFile(SECRET, name="plan.pdf"),
        collection=private_collection("Members", BaseViewRestriction.LOGIN),
    )
    WagtailDocument.objects.filter(pk=old.pk).update(created_at=uploaded_at)
    old.tags.add("operations")
    page = StandardPage(
        title="Briefing",
        slug="briefing",
        body=f'<p><a linktype="document" id="{old.pk}">plan</a></p>',
    )
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    assert (settings.MEDIA_ROOT / old.file.name).exists()

    upgrade = import_module("knowledgebase.migrations.0008_move_documents_to_private_storage")
    with django_capture_on_commit_callbacks(execute=True):
        upgrade.transfer("wagtaildocs.Document", "knowledgebase.PortalDocument")(
            apps, SimpleNamespace(connection=connection)
        )

    assert not WagtailDocument.objects.exists()
    moved = get_document_model().objects.get()
    assert (moved.pk, moved.title, moved.collection_id) == (old.pk, old.title, old.collection_id)
    assert moved.created_at == uploaded_at
    assert list(moved.tags.names()) == ["operations"]
    assert Path(moved.file.path).read_bytes() == SECRET
    assert not any(settings.MEDIA_ROOT.rglob("*.pdf"))
    assert client.get(f"/media/{old.file.name}").status_code == 404
    # The link in the page still leads to the document, for those who may see it.
    assert client.get(moved.url).status_code == 404
    client.force_login(UserFactory())
    assert moved.url in client.get(page.url).content.decode()
    assert body(client.get(moved.url)) == SECRET
    # New uploads get a fresh id.
    assert upload().pk > moved.pk


def test_an_editor_uploads_a_document_in_the_admin(client, roots, settings):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(editor)
    collection = private_collection("Members", BaseViewRestriction.LOGIN)

    response = client.post(
        "/admin/documents/add/",
        {
            "title": "Operational plan",
            "file": SimpleUploadedFile("plan.pdf", SECRET, content_type="application/pdf"),
            "collection": collection.pk,
        },
    )

    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert Path(document.file.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert "Operational plan" in client.get("/admin/documents/").content.decode()
    assert body(client.get(document.url)) == SECRET
    assert client.get(f"/media/{document.file.name}").status_code == 404


# Roles (tests/knowledgebase/test_roles.py): who may move a document out of a restricted collection.


@pytest.fixture
def restricted_document():
    """A document in a collection open to signed-in members only, beside an open collection."""
    root = Collection.get_first_root_node()
    restricted = root.add_child(name="Members only")
    CollectionViewRestriction.objects.create(
        collection=restricted, restriction_type=CollectionViewRestriction.LOGIN
    )
    root.add_child(name="Open")
    return get_document_model().objects.create(
        title="Debrief", file=SimpleUploadedFile("debrief.txt", b"names"), collection=restricted
    )


def move_in_the_form(client, document, collection):
    return client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": document.title, "collection": collection.pk, "tags": ""},
    )


def move_in_bulk(client, document, collection):
    meta = type(document)._meta
    url = reverse(
        "wagtail_bulk_action", args=[meta.app_label, meta.model_name, "add_to_collection"]
    )
    return client.post(f"{url}?id={document.pk}", {"collection": collection.pk})


@pytest.mark.parametrize("role", ["editor", "administrator"])
@pytest.mark.parametrize("move", [move_in_the_form, move_in_bulk])
def test_a_document_leaves_a_restricted_collection_by_an_administrator_only(
    client, restricted_document, role, move
):
    sign_in(client, role)
    open_collection = Collection.objects.get(name="Open")
    response = move(client, restricted_document, open_collection)
    assert response.status_code < 500
    restricted_document.refresh_from_db()
    if role == "administrator":
        assert restricted_document.collection == open_collection
        return
    assert restricted_document.collection.name == "Members only"
    assert Client().get(restricted_document.url).status_code == 404  # still restricted
    # Into a restricted collection is fine: that only narrows who may download.
    public = type(restricted_document).objects.create(
        title="Leaflet", file=SimpleUploadedFile("leaflet.txt", b"text"), collection=open_collection
    )
    move(client, public, restricted_document.collection)
    public.refresh_from_db()
    assert public.collection.name == "Members only"
