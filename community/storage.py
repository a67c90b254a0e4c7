"""The storage of public uploads under ``MEDIA_ROOT`` (avatars, Wagtail images and renditions)."""

import os
import secrets

from django.core.files.storage import FileSystemStorage


class MediaStorage(FileSystemStorage):
    """Store public uploads; give Wagtail's original images a name nobody can guess.

    Wagtail images have no privacy of their own: one shown in a case study for verified members is
    a file under ``/media/`` like any other. A random part in its name, and so in the names of its
    renditions, keeps outsiders from finding it by the name it was uploaded under (avatars are
    named at random already). Files that must stay private go to ``PRIVATE_MEDIA_ROOT`` instead.
    """

    def get_available_name(self, name, max_length=None):
        folder, filename = os.path.split(name)
        if folder == "original_images":
            # In front: Wagtail keeps the start of the name in its renditions' names.
            name = f"{folder}/{secrets.token_hex(8)}-{filename}"
            if max_length and len(name) > max_length:
                root, ext = os.path.splitext(name)
                name = root[: max_length - len(ext)] + ext
        return super().get_available_name(name, max_length=max_length)
