"""Wagtail documents: what sits in a restricted collection stays there but by an administrator.

A collection with a privacy setting (or inside one) keeps its documents from the public at
``/documents/<id>/<name>``. Editors upload into such collections and choose from them; moving a
document out, where a looser rule may apply at once and without review, is for site administrators
(``community.permissions.can_move_restricted_documents``): on the edit form, after an upload, and
in the bulk "Add to collection" action (``knowledgebase.wagtail_hooks``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from community.permissions import can_move_restricted_documents

MOVE_REFUSED = _("Only a site administrator moves a document out of a restricted collection.")


def is_restricted(collection) -> bool:
    """Return whether *collection*, or a collection it sits in, has a privacy setting."""
    return collection.get_view_restrictions().exists()


def moves_out_of_restriction(user, document, collection) -> bool:
    """Return whether putting *document* in *collection* is a move *user* may not make."""
    return (
        document.pk is not None
        and document.collection_id != collection.pk
        and is_restricted(document.collection)
        and not (user is not None and can_move_restricted_documents(user))
    )


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form, refusing a move out of a restricted collection."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, user=user, **kwargs)

    def clean_collection(self):
        collection = self.cleaned_data["collection"]
        if moves_out_of_restriction(self.user, self.instance, collection):
            raise ValidationError(MOVE_REFUSED)
        return collection
