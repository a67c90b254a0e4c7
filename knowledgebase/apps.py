from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgebaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = _("Knowledge base")

    def ready(self):
        from community.querysets import tag_carrier_register

        from . import services, signals  # noqa: F401 - receivers, the email builder
        from .models import CaseStudyPage, CaseStudyTag

        tag_carrier_register(
            "case_studies",
            through=CaseStudyTag,
            visible_to=lambda user: CaseStudyPage.objects.visible_to(user),
        )
