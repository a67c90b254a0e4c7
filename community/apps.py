from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from medi4sec.outages import database_connected

        from .caching import connect_invalidation
        from .models import TaggedThread, Thread
        from .querysets import tag_carrier_register
        from .services import exports, moderation  # noqa: F401 (they register email builders)
        from .sites import sites_sync

        connect_invalidation()
        tag_carrier_register(
            "threads", through=TaggedThread, visible_to=lambda user: Thread.objects.visible_to(user)
        )
        post_migrate.connect(sites_sync, sender=self)
        # A database outage this process logged ends with the first connection that opens.
        connection_created.connect(database_connected)
