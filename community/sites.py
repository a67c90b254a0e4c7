"""Keep the site records that Django and Wagtail keep in the database in step with SITE_URL.

allauth names the site in its emails from ``django.contrib.sites`` and Wagtail builds sitemap and
admin links from its own ``Site``; both come out of their migrations as "example.com" and
"localhost:80". After every ``migrate`` they take the address the portal is configured to serve.
"""

from urllib.parse import urlsplit

from django.conf import settings

SITE_NAME = "MEDI@4SEC Community Portal"


def sites_sync(**_kwargs) -> None:
    """Point the Django site and Wagtail's default site at ``settings.SITE_URL``."""
    from django.contrib.sites.models import Site as DjangoSite
    from wagtail.models import Site as WagtailSite

    url = urlsplit(settings.SITE_URL)
    DjangoSite.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": url.netloc, "name": SITE_NAME}
    )
    port = url.port or (443 if url.scheme == "https" else 80)
    WagtailSite.objects.filter(is_default_site=True).exclude(
        hostname=url.hostname, port=port
    ).update(hostname=url.hostname, port=port)
