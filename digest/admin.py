"""The digest in the Django admin: the last runs, the ledger (failures stand out), and a preview
of any member's digest. The models are community's; the digest app registers their admins.
"""

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from community.admin import ReadOnlyAdminMixin
from community.models import DigestDelivery, DigestFrequency, DigestRun, User

from .delivery import digest_message, preview
from .periods import KINDS


@admin.register(DigestRun)
class DigestRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "started_at",
        "kind",
        "period_start",
        "member_count",
        "sent",
        "skipped",
        "failed",
    ]
    list_filter = ["kind"]
    date_hierarchy = "started_at"
    change_list_template = "digest/run_change_list.html"

    def get_urls(self):
        preview_view = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview_view, name="community_digest_preview"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "preview_url": reverse("admin:community_digest_preview"),
        }
        return super().changelist_view(request, extra_context)

    def preview_view(self, request):
        """Show the digest a member would get now, as HTML (``?format=text``: the text part)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        username = request.GET.get("username", "").strip()
        if not username:
            context = {**self.admin_site.each_context(request), "title": "Digest preview"}
            return render(request, "digest/preview.html", context)
        member = get_object_or_404(User.objects.select_related("profile"), username=username)
        kind = request.GET.get("kind", DigestFrequency.WEEKLY)
        if kind not in KINDS:
            kind = DigestFrequency.WEEKLY
        built = preview(user=member, kind=kind)
        message = digest_message(digest=built, message_id="<preview@medi4sec.local>")
        if request.GET.get("format") == "text":
            return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
        html = message.alternatives[0][0] if not built.is_empty else message.body
        return HttpResponse(html, content_type="text/html; charset=utf-8")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The delivery ledger; permanent failures (status "failed") carry the SMTP error."""

    list_display = ["user", "kind", "period_start", "status", "reason", "attempts", "sent_at"]
    list_filter = ["status", "kind", "reason"]
    search_fields = ["user__username", "user__email", "error"]
    raw_id_fields = ["user", "run"]
