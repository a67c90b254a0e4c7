"""Case-study images load fast: WebP renditions at several widths, kept by browsers for a year."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests.factories import make_case_study

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name, size, kind):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(buffer, kind)
    return get_image_model().objects.create(title=name, file=ImageFile(buffer, name=name))


def figure_html(client, image):
    study = make_case_study(
        "Kettling at the bridge",
        body=[("image", {"image": image, "alt_text": "Police line at the bridge", "caption": ""})],
    )
    response = client.get(study.url)
    assert response.status_code == 200
    return re.search(r"<picture>.*?</picture>", response.text, re.S).group(0)


def webp_source(html):
    """Return the srcset of the picture's WebP <source>."""
    source = re.search(r'<source [^>]*type="image/webp"[^>]*>', html).group(0)
    return re.search(r'srcset="([^"]+)"', source).group(1)


def widths(srcset):
    return sorted(int(width) for width in re.findall(r" (\d+)w", srcset))


def test_a_photo_comes_as_webp_at_three_widths_with_the_original_format_as_fallback(client):
    html = figure_html(client, upload("bridge.jpg", (1600, 900), "JPEG"))
    source = webp_source(html)
    assert widths(source) == [400, 800, 1200]
    assert all(url.endswith(".webp") for url in re.findall(r"(\S+) \d+w", source))
    img = re.search(r"<img [^>]*>", html).group(0)
    assert re.search(r'src="[^"]+\.jpg"', img)
    assert widths(re.search(r'srcset="([^"]+)"', img).group(1)) == [400, 800, 1200]
    # Its own size, so the page does not jump when it loads; it loads when scrolled near.
    assert 'width="800"' in img
    assert 'height="450"' in img
    assert 'loading="lazy"' in img
    assert 'alt="Police line at the bridge"' in img


def test_a_small_drawing_is_not_blown_up_and_stays_png_for_old_browsers(client):
    html = figure_html(client, upload("map.png", (300, 200), "PNG"))
    source = webp_source(html)
    assert source.endswith(".webp")
    assert " " not in source.strip()
    img = re.search(r"<img [^>]*>", html).group(0)
    assert re.search(r'src="[^"]+\.png"', img)
    assert 'width="300"' in img
    assert 'height="200"' in img


def test_renditions_are_kept_by_browsers_for_a_year(client):
    image = upload("bridge.jpg", (1600, 900), "JPEG")
    rendition = image.get_rendition("width-400|format-webp")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    # The original keeps no such promise: an editor may replace it.
    assert "immutable" not in client.get(f"/media/{image.file.name}").get("Cache-Control", "")
