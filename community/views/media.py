"""Uploaded files (avatars, Wagtail images) served by the portal itself, with safe headers.

Anything under ``MEDIA_URL`` was uploaded by someone: it must never run as a page of the portal.
Every answer carries ``nosniff`` and a sandboxing policy, images are shown inline and everything
else is a download. Wagtail documents are not served here at all: they go through
``/documents/<id>/<name>``, which checks collection privacy (a direct ``/media/documents/`` URL
would skip it). In production a reverse proxy or object storage may serve ``MEDIA_URL`` instead
(``SERVE_MEDIA=false``) with the same headers: see the README.
"""

import mimetypes

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# Raster images the portal itself produces or accepts (avatars, Wagtail renditions).
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}
MEDIA_CSP = "default-src 'none'; sandbox"
PRIVATE_PREFIXES = ("documents/",)


@require_safe
def media_serve(request, path):
    """Serve the uploaded file at *path* with headers that keep it from running as a page."""
    if path.lstrip("/").startswith(PRIVATE_PREFIXES):
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
    return response
