"""The sitemap: live pages that anyone, search engines included, may see."""

from wagtail.contrib.sitemaps import Sitemap

from .models import CaseStudyPage


class PublicPageSitemap(Sitemap):
    def items(self):
        restricted = CaseStudyPage.objects.exclude(
            pk__in=CaseStudyPage.objects.public_only().values("pk")
        )
        return super().items().exclude(pk__in=restricted.values("pk"))
