"""The demo case studies and what the body blocks put on the page."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError
from wagtail.images import get_image_model

from knowledgebase.blocks import CaseStudyBodyBlock, FigureBlock, VideoBlock
from knowledgebase.demo import seed_case_studies
from knowledgebase.models import CaseStudyPage, HomePage, Source

pytestmark = pytest.mark.django_db


def test_seed_creates_a_spread_of_demo_case_studies_once(client):
    seed_case_studies()
    counts = (
        CaseStudyPage.objects.count(),
        get_image_model().objects.count(),
        Source.objects.count(),
    )
    seed_case_studies()
    assert (
        CaseStudyPage.objects.count(),
        get_image_model().objects.count(),
        Source.objects.count(),
    ) == counts

    studies = CaseStudyPage.objects.live().prefetch_related("themes", "tags")
    assert len(studies) >= 12
    assert all("(demo)" in page.title for page in studies)
    classes = Counter(page.classification for page in studies)
    assert set(classes) == {"good", "bad", "ugly"}
    assert min(classes.values()) >= 4
    themes = {theme.slug for page in studies for theme in page.themes.all()}
    assert len(themes) == 6
    assert Counter(page.audience for page in studies) == {"public": 11, "members": 2, "verified": 1}
    assert all(page.sources.exists() for page in studies)
    assert all(page.tags.filter(name="demo").exists() for page in studies)
    assert all(page.body.first_block_by_name("image") for page in studies)

    home = HomePage.objects.get()
    featured = [home.featured_good, home.featured_bad, home.featured_ugly]
    assert [page.classification for page in featured] == ["good", "bad", "ugly"]
    assert len(client.get("/").context["featured_case_studies"]) == 3

    page = studies.get(slug="live-qa-during-city-festival")
    html = client.get(page.url).content.decode()
    assert "Demo case study" in html
    assert 'alt="Title card: Live questions and answers' in html


def test_video_block_loads_nothing_from_the_host_until_the_reader_follows_the_link():
    block = VideoBlock()
    value = block.to_python(
        {"url": "https://www.youtube.com/watch?v=abc", "title": "Briefing", "duration": "3:10"}
    )
    html = block.render(value)
    assert "<iframe" not in html
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="https://www.youtube.com/watch?v=abc"' in html
    assert 'target="_blank"' in html
    assert "Watch “Briefing” on youtube.com" in html
    assert "opens in a new tab" in html
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"url": "http://example.com/v", "title": "Plain http"}))


def test_images_need_alternative_text():
    block = FigureBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": None, "alt_text": "", "caption": ""}))
    assert block.child_blocks["alt_text"].required


def test_body_offers_the_blocks_case_studies_need():
    assert set(CaseStudyBodyBlock().child_blocks) == {
        "paragraph",
        "heading",
        "image",
        "quote",
        "went_well",
        "went_wrong",
        "lessons",
        "video",
    }


def test_group_audience_and_group_go_together():
    from django.db import IntegrityError, transaction

    from tests.factories import make_case_study

    page = make_case_study("Grouped")
    page.audience = "group"
    with pytest.raises(ValidationError):
        page.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        CaseStudyPage.objects.filter(pk=page.pk).update(audience="group")
