from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from community.permissions import is_organiser
        from community.querysets import tag_carrier_register
        from community.services.exports import export_section_register
        from community.services.privacy import retention_period_register
        from community.templatetags.queues import queue_register
        from digest.content import digest_section_register
        from knowledgebase.demo import demo_seeder_register

        from . import demo, services, signals  # noqa: F401 - signals: the receivers
        from .listing import Listing
        from .models import PAGE_CONTEXT, EventPage, EventTag
        from .presenters import digest_events, event_context

        PAGE_CONTEXT.update(listing=Listing, event=event_context)
        demo_seeder_register(demo.seed_events)

        tag_carrier_register(
            "events",
            through=EventTag,
            visible_to=lambda user: EventPage.objects.visible_to(user),
        )
        digest_section_register("events", title=_("Upcoming events"), items=digest_events)
        queue_register(
            label=_("Applications"),
            route="events:organise_list",
            holds=is_organiser,
            waiting=services.applications_waiting,
        )
        export_section_register("event_applications", services.member_applications)
        retention_period_register(
            "event_applications",
            period=services.retention_period,
            erase=services.declined_applications_erase,
        )
