"""Uploaded files are served with headers that keep them from running as pages of the portal.

Wagtail documents never come from ``/media/``: see ``tests/knowledgebase/test_documents.py``.
"""

import io
import re

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

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


def test_image_files_get_a_name_nobody_can_guess(client, media):
    """An image in a case study for verified members is no easier to find than the page itself."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(buffer, "PNG")
    name = "kettling-at-the-bridge-seen-from-the-north-bank-by-a-steward.png"
    image = get_image_model().objects.create(title="Kettling", file=ImageFile(buffer, name=name))
    rendition = image.get_rendition("fill-20x20")

    token = re.fullmatch(rf"original_images/([0-9a-f]{{16}})-{name}", image.file.name)[1]
    # Wagtail shortens long names in its renditions' names: the random part stays.
    assert token in rendition.url
    assert client.get(f"/media/original_images/{name}").status_code == 404
    assert client.get(f"/media/{image.file.name}").status_code == 200
    assert client.get(rendition.url).status_code == 200
