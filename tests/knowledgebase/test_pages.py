"""Wagtail wiring: the page tree rules, the site root and the role groups."""

from django.contrib.auth.models import Group
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from knowledgebase.models import CaseStudyIndexPage, CaseStudyPage, HomePage, StandardPage


class PageTreeTests(WagtailPageTestCase):
    def test_home_page_is_the_default_site_root(self):
        site = Site.objects.get(is_default_site=True)
        assert isinstance(site.root_page.specific, HomePage)
        slugs = sorted(site.root_page.get_children().values_list("slug", flat=True))
        assert slugs == ["about", "accessibility", "case-studies", "code-of-conduct", "privacy"]

    def test_page_type_rules(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {StandardPage, CaseStudyIndexPage})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedParentPageTypes(CaseStudyIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CaseStudyIndexPage, {CaseStudyPage})
        self.assertAllowedParentPageTypes(CaseStudyPage, {CaseStudyIndexPage})
        self.assertAllowedSubpageTypes(CaseStudyPage, set())
        self.assertCanNotCreateAt(StandardPage, HomePage)
        self.assertCanNotCreateAt(StandardPage, CaseStudyPage)
        self.assertCanNotCreateAt(HomePage, CaseStudyPage)
        self.assertCanNotCreateAt(CaseStudyIndexPage, StandardPage)

    def test_the_library_exists_once_at_its_public_address(self):
        index = CaseStudyIndexPage.objects.get()
        assert index.url == "/case-studies/"
        home = HomePage.objects.get()
        # max_count = 1: editors cannot add a second library.
        assert not CaseStudyIndexPage.can_create_at(home)
        assert self.client.get("/case-studies/").status_code == 200

    def test_editors_and_moderators_groups_reach_the_admin(self):
        for name in ["Editors", "Moderators"]:
            group = Group.objects.get(name=name)
            assert group.permissions.filter(codename="access_admin").exists()
        assert Group.objects.filter(name="Verifiers").exists()

    def test_standard_page_renders_its_text(self):
        response = self.client.get("/code-of-conduct/")
        self.assertContains(response, "<h1>Code of conduct</h1>", html=True)
        self.assertContains(response, "operational details")
