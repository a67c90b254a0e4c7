from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from .caching import connect_invalidation
        from .privacy import export, requests  # noqa: F401 (they register email builders)

        connect_invalidation()
