"""Who sees which case study: the page, the library, its counts, the home page, feed and sitemap.

A case study the viewer may not see answers 404 and leaves no trace anywhere else.
"""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from community.models import Audience, User, WorkingGroup, WorkingGroupMembership
from tests.factories import (
    ForumFactory,
    UserFactory,
    make_case_study,
    make_staff,
    make_thread,
    make_verified,
    set_visibility,
)

pytestmark = pytest.mark.django_db

AUDIENCES = ["public", "members", "verified", "group"]
# viewer -> the audiences of the case studies they may see
MATRIX = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "verified": {"public", "members", "verified"},
    "group_member": {"public", "members", "group"},
    "staff": {"public", "members", "verified", "group"},
}


@pytest.fixture
def working_group(db):
    return WorkingGroup.objects.create(name="Crowd safety", slug="crowd-safety")


@pytest.fixture
def studies(working_group):
    """One dark-web case study per audience, so counts show exactly who sees what."""
    return {
        audience: make_case_study(
            f"Study for {audience}",
            classification="bad",
            audience=audience,
            group=working_group if audience == Audience.GROUP else None,
            themes=["dark-web"],
            tags=["markets"],
        )
        for audience in AUDIENCES
    }


def sign_in(client, viewer, working_group):
    if viewer == "anonymous":
        return
    if viewer == "staff":
        client.force_login(make_staff())
        return
    user = UserFactory(username=viewer)
    if viewer == "verified":
        user.profile.verified_until = timezone.localdate() + datetime.timedelta(days=30)
        user.profile.save()
    if viewer == "group_member":
        WorkingGroupMembership.objects.create(
            group=working_group, user=user, status=WorkingGroupMembership.Status.MEMBER
        )
    client.force_login(user)


@pytest.mark.parametrize("viewer", list(MATRIX))
def test_each_viewer_sees_exactly_their_case_studies_everywhere(
    client, viewer, studies, working_group
):
    sign_in(client, viewer, working_group)
    allowed = MATRIX[viewer]

    for audience, page in studies.items():
        status = client.get(page.url).status_code
        assert status == (200 if audience in allowed else 404), (audience, status)

    library = client.get("/case-studies/")
    html = library.content.decode()
    for audience, page in studies.items():
        assert (page.title in html) == (audience in allowed), audience
    theme = next(f for f in library.context["library"].facets if f.name == "theme")
    assert [(v.value, v.count) for v in theme.values] == [("dark-web", len(allowed))]
    tag = next(f for f in library.context["library"].facets if f.name == "tag")
    assert [(v.value, v.count) for v in tag.values] == [("markets", len(allowed))]

    home = client.get("/")
    featured = [page.title for page in home.context["featured_case_studies"]]
    assert len(featured) == 1
    assert featured[0] in {studies[audience].title for audience in allowed}


def test_home_features_the_editors_choice_only_for_those_who_may_see_it(client, studies, member):
    from knowledgebase.models import HomePage

    home = HomePage.objects.get()
    home.featured_bad = studies["members"]
    home.save()
    anonymous_view = client.get("/").context["featured_case_studies"]
    assert [page.pk for page in anonymous_view] == [studies["public"].pk]
    client.force_login(member)
    assert [page.pk for page in client.get("/").context["featured_case_studies"]] == [
        studies["members"].pk
    ]


def test_losing_verification_takes_effect_on_the_next_request(client, studies):
    user = UserFactory(username="expiring")
    user.profile.verified_until = timezone.localdate()
    user.profile.save()
    client.force_login(user)
    assert client.get(studies["verified"].url).status_code == 200
    user.profile.verified_until = timezone.localdate() - datetime.timedelta(days=1)
    user.profile.save()
    assert client.get(studies["verified"].url).status_code == 404


def test_feed_and_sitemap_carry_public_case_studies_only(client, studies):
    for path in ["/feeds/case-studies/", "/sitemap.xml"]:
        body = client.get(path).content.decode()
        assert studies["public"].slug in body, path
        for audience in ["members", "verified", "group"]:
            assert studies[audience].slug not in body, (path, audience)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/about/" in sitemap
    assert "/case-studies/</loc>" in sitemap


def test_feed_is_atom_with_links_to_the_case_studies(client, studies):
    response = client.get("/feeds/case-studies/")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert f"http://testserver{studies['public'].url}" in body
    assert "The bad" in body  # the classification as a category


def test_wagtail_privacy_settings_hide_a_case_study_from_listings_and_sitemap(client, member):
    restricted = make_case_study("Behind a password")
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-pass"
    )
    client.force_login(member)
    assert "Behind a password" not in client.get("/case-studies/").content.decode()
    assert restricted.slug not in client.get("/sitemap.xml").content.decode()
    assert restricted.slug not in client.get("/feeds/case-studies/").content.decode()
    # The page itself answers like one that does not exist: no password form says it is there.
    response = client.get(restricted.url)
    assert response.status_code == 404
    assert 'name="password"' not in response.content.decode()


def test_drafts_are_not_served_nor_listed(client):
    draft = make_case_study("Still a draft", publish=False)
    assert client.get("/case-studies/still-a-draft/").status_code == 404
    assert "Still a draft" not in client.get("/case-studies/").content.decode()
    assert draft.slug not in client.get("/sitemap.xml").content.decode()


def test_admin_tag_suggestions_name_only_tags_the_editor_may_see(client):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from community.models import Profile

    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    closed = ForumFactory(slug="closed", audience="verified")
    make_thread(closed, title="Closed", tags=["operation nightfall"])
    make_thread(ForumFactory(slug="open"), title="Open", tags=["operation open"])
    make_case_study("Draft", publish=False, audience="verified", tags=["operation draft"])
    for username, level, expertise in [("shy", "verified", "opsec"), ("open", "members", "osint")]:
        Profile.objects.get(user=UserFactory(username=username)).expertise.set([expertise])
        set_visibility(User.objects.get(username=username), expertise=level)
    client.force_login(editor)

    def suggested(path="/admin/tag-autocomplete/", term="oper"):
        return client.get(path, {"term": term}).json()

    assert suggested() == ["operation draft", "operation open"]
    expertise = "/admin/tag-autocomplete/community/expertisetag/"
    assert suggested(expertise, "o") == ["osint"]
    make_verified(editor)
    assert suggested() == ["operation draft", "operation nightfall", "operation open"]
    assert suggested(expertise, "o") == ["opsec", "osint"]
    assert client.get("/admin/tag-autocomplete/auth/group/", {"term": "o"}).status_code == 404
