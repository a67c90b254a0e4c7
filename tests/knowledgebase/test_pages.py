"""Wagtail wiring: the page tree rules, the site root and the role groups."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from knowledgebase.models import CaseStudyIndexPage, CaseStudyPage, HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_home_page_is_the_default_site_root():
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    slugs = sorted(site.root_page.get_children().values_list("slug", flat=True))
    assert slugs == [
        "about",
        "accessibility",
        "case-studies",
        "code-of-conduct",
        "events",
        "privacy",
    ]


def test_page_type_rules():
    assert HomePage.allowed_parent_page_models() == [Page]
    assert set(HomePage.allowed_subpage_models()) == {StandardPage, CaseStudyIndexPage}
    assert set(StandardPage.allowed_parent_page_models()) == {HomePage, StandardPage}
    assert CaseStudyPage.allowed_parent_page_models() == [CaseStudyIndexPage]
    home = HomePage.objects.get()
    assert not HomePage.can_create_at(home)  # one home page only
    assert not CaseStudyPage.can_create_at(home)
    assert StandardPage.can_create_at(home)


def test_editors_and_moderators_groups_reach_the_admin():
    for name in ["Editors", "Moderators"]:
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name="Verifiers").exists()


def test_standard_page_renders_its_text(client):
    response = client.get("/code-of-conduct/")
    html = response.content.decode()
    assert "<h1>Code of conduct</h1>" in html
    assert "operational details" in html
