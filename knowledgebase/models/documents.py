"""Documents of the knowledge base, kept outside the public media folder."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument
from wagtail.documents.models import Document as WagtailDocument

from community.models import private_storage


class PortalDocument(AbstractDocument):
    """A Wagtail document whose file lives in private storage, outside ``MEDIA_ROOT``.

    Only Wagtail's view ``/documents/<id>/<name>`` hands it out, after checking the collection's
    privacy: no path under ``/media/``, however spelled, and no web server serving the media
    folder can reach it.
    """

    file = models.FileField(upload_to="documents", storage=private_storage, verbose_name=_("file"))

    admin_form_fields = WagtailDocument.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
