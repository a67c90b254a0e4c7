"""Uploaded files (avatars, Wagtail images) served by the portal itself, with safe headers.

Anything under ``MEDIA_URL`` was uploaded by someone: it must never run as a page of the portal.
Every answer carries ``nosniff`` and a sandboxing policy, images are shown inline and everything
else is a download. Wagtail documents are not served here at all: their files live outside
``MEDIA_ROOT`` (``PRIVATE_MEDIA_ROOT``) and only ``/documents/<id>/<name>`` hands them out, after
checking collection privacy. In production a reverse proxy or object storage may serve
``MEDIA_URL`` instead (``SERVE_MEDIA=false``) with the same headers: see the README.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# Raster images the portal itself produces or accepts (avatars, Wagtail renditions).
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}
MEDIA_CSP = "default-src 'none'; sandbox"
# The folders public uploads are written to: avatars, Wagtail's originals and renditions. Anything
# else under MEDIA_ROOT (a documents folder left by an older install, a stray file) is not served.
PUBLIC_FOLDERS = {"avatars", "original_images", "images"}
# A rendition's name carries its original's random name and its filter spec: a new original, or a
# new crop, is a new name, so a rendition's content never changes. Browsers and proxies keep it.
RENDITIONS_CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def media_serve(request, path):
    """Serve the uploaded file at *path* with headers that keep it from running as a page."""
    # Decide on the path as the file system will read it, not as it was spelled.
    path = posixpath.normpath(path).lstrip("/")
    if path.split("/", 1)[0] not in PUBLIC_FOLDERS:
        raise Http404
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404 from None
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in INLINE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if path.startswith("images/") and response.status_code == 200:
        response["Cache-Control"] = RENDITIONS_CACHE_CONTROL
    return response
