"""Privacy: consent to the terms and the privacy notice, data exports, client addresses kept for
abuse handling, erasures, and requests from people who appear in case studies."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forums import Post
from .people import User


class Document(models.TextChoices):
    TERMS = "terms", _("Terms of use")
    PRIVACY = "privacy", _("Privacy notice")


class Consent(models.Model):
    """A member accepted one version of the terms or of the privacy notice, at one moment."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(_("document"), max_length=16, choices=Document.choices)
    version = models.CharField(_("version"), max_length=32)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("consent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="consent_once_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} accepted {self.document} {self.version}"


class PrivateStorage(FileSystemStorage):
    """Files with no public URL under ``PRIVATE_MEDIA_ROOT`` (data exports, Wagtail documents): a
    view that checks who asks hands them out, the web server never does."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        # NotImplementedError, as Django's Storage says: Wagtail's document view then streams the
        # file itself instead of redirecting to a URL.
        raise NotImplementedError(
            "Private files have no URL; a view that checks who asks serves them."
        )


_private_storage = PrivateStorage()


def private_storage():
    """Return the storage of private files (a callable keeps it out of migrations)."""
    return _private_storage


def export_upload_to(instance, filename):
    """Store exports under a random name: a leaked path tells nothing and opens nothing."""
    return f"exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """A member's copy of their data: asked for, built by a task, downloadable until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(storage=private_storage, upload_to=export_upload_to, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data export")
        indexes = [models.Index(fields=["expires_at"], name="data_export_expiry")]

    def __str__(self):
        return f"Export {self.pk} of member {self.user_id} ({self.status})"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


class ClientAddress(models.Model):
    """The address a post was written from, kept for abuse handling until retention erases it."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="client_address")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="client_addresses"
    )
    ip = models.GenericIPAddressField(_("IP address"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("client address")
        verbose_name_plural = _("client addresses")
        indexes = [models.Index(fields=["created_at"], name="client_address_created")]

    def __str__(self):
        return f"{self.ip} for post {self.post_id}"


class AccountErasure(models.Model):
    """That an account was erased, when and on whose initiative; nothing about who it was."""

    class Initiator(models.TextChoices):
        MEMBER = "member", _("The member, in their settings")
        STAFF = "staff", _("Staff, on the member's request")
        RETENTION = "retention", _("Retention: email address never confirmed")

    former_user_id = models.PositiveBigIntegerField()
    initiator = models.CharField(max_length=16, choices=Initiator.choices)
    processed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("account erasure")

    def __str__(self):
        return f"Member {self.former_user_id} erased {self.erased_at:%Y-%m-%d}"


class PersonRequest(models.Model):
    """A request from someone who appears in a case study: correct or remove what it says."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correct something about me")
        REMOVAL = "removal", _("Remove something about me")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined, with reasons sent")

    case_study = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("case study"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="person_requests",
    )
    kind = models.CharField(_("what you ask for"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("your name"), max_length=120)
    email = models.EmailField(_("your email address"))
    details = models.TextField(_("what should change, and why"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    editor_note = models.TextField(_("note for editors"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("request from a person in a case study")
        verbose_name_plural = _("requests from people in case studies")
        indexes = [models.Index(fields=["status", "due_at"], name="person_request_queue")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.case_study} ({self.created_at:%Y-%m-%d})"

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due_at < timezone.now()
