from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        from wagtail.signals import page_published

        from community.signals import post_text_changed
        from knowledgebase.models import CaseStudyPage

        from .indexing import index_for_search, post_vector_update

        post_text_changed.connect(post_vector_update, dispatch_uid="search-post-vector")
        page_published.connect(
            index_for_search, sender=CaseStudyPage, dispatch_uid="search-case-study-vector"
        )
