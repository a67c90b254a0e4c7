"""The sitemap: live pages that anyone, search engines included, may see."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import get_page_models

from community.models import AudienceMixin
from community.permissions import Audience


class PublicPageSitemap(Sitemap):
    def items(self):
        # Every page with an audience (case studies, events) is left out unless public; asked
        # of the page models, so apps built on the knowledge base need no hook here.
        items = super().items()
        for model in get_page_models():
            if issubclass(model, AudienceMixin) and not model._meta.abstract:
                restricted = model.objects.exclude(audience=Audience.PUBLIC)
                items = items.exclude(pk__in=restricted.values("pk"))
        return items
