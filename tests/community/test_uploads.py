"""Uploaded files are served with headers that keep them from running as pages of the portal."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

pytestmark = pytest.mark.django_db

HTML = b"<html><script>window.__xss = 1</script></html>"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "a1b2.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (tmp_path / "original_images").mkdir()
    (tmp_path / "original_images" / "drawing.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    )
    (tmp_path / "original_images" / "page.html").write_bytes(HTML)
    return tmp_path


def test_images_are_shown_inline_but_sandboxed(client, media):
    response = client.get("/media/avatars/a1b2.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["drawing.svg", "page.html"])
def test_anything_else_is_a_sandboxed_download(client, media, name):
    response = client.get(f"/media/original_images/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/media/../manage.py", "/media/%2e%2e/manage.py", "/media/avatars/missing.jpg"]
)
def test_nothing_outside_the_uploads_and_nothing_missing(client, media, path):
    assert client.get(path).status_code == 404


def test_uploads_are_read_only(client, media):
    assert client.post("/media/avatars/a1b2.jpg").status_code == 405


def test_documents_only_through_their_view_and_always_as_downloads(client, media):
    document = Document.objects.create(
        title="Annual report", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
    )
    # The file path itself is not served: the document view checks collection privacy.
    assert client.get(f"/media/{document.file.name}").status_code == 404

    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
