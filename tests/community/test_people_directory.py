"""The member directory: who appears for whom, filters, search, pages and query counts."""

import pytest
from django.urls import reverse

from community import services
from community.models import Profile, StakeholderType
from tests.factories import UserFactory, make_verified, set_visibility

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("community:member_list")


def person(username, *, name, profile="members", fields="members", expertise=(), **data):
    user = UserFactory(username=username, display_name=name)
    Profile.objects.filter(user=user).update(**data)
    if expertise:
        services.profile_update(user=user, display_name=name, expertise=list(expertise))
    levels = dict.fromkeys(
        ["stakeholder_type", "organisation", "role", "country", "expertise"], fields
    )
    set_visibility(user, profile=profile, **levels)
    return user


@pytest.fixture
def people():
    return {
        "ines": person(
            "ines",
            name="Inês Police",
            profile="public",
            fields="public",
            stakeholder_type=StakeholderType.LAW_ENFORCEMENT,
            organisation="Lisbon Police",
            country="PT",
            expertise=["osint"],
        ),
        "karl": person(
            "karl",
            name="Karl Researcher",
            stakeholder_type=StakeholderType.RESEARCH,
            organisation="Vienna University",
            country="AT",
            expertise=["osint", "riots"],
        ),
        "lena": person(
            "lena",
            name="Lena Secret",
            fields="verified",
            stakeholder_type=StakeholderType.LAW_ENFORCEMENT,
            organisation="Hidden Unit",
            country="PT",
        ),
    }


def names(response):
    return {profile.user.username for profile in response.context["profiles"]}


def test_visitors_see_only_public_profiles(client, people):
    response = client.get(DIRECTORY)
    assert names(response) == {"ines"}
    assert b"Lisbon Police" in response.content


def test_visitors_get_a_clear_message_when_no_profile_is_public(client):
    person("karl", name="Karl Researcher")
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert b"No member has made their profile public yet" in response.content
    assert b"Karl Researcher" not in response.content


def test_members_see_members_profiles_but_not_fields_kept_for_verified(client, people):
    client.force_login(UserFactory(username="viewer", display_name="Viewer"))
    response = client.get(DIRECTORY)
    assert {"ines", "karl", "lena"} <= names(response)
    assert b"Lena Secret" in response.content
    assert b"Hidden Unit" not in response.content


@pytest.mark.parametrize(
    ("query", "member_expected", "verified_expected"),
    [
        ("type=law_enforcement", {"ines"}, {"ines", "lena"}),
        ("country=PT", {"ines"}, {"ines", "lena"}),
        ("expertise=osint", {"ines", "karl"}, {"ines", "karl"}),
        ("expertise=riots", {"karl"}, {"karl"}),
        ("q=vienna", {"karl"}, {"karl"}),
        ("q=hidden", set(), {"lena"}),
        ("q=lena", {"lena"}, {"lena"}),
        ("type=law_enforcement&country=AT", set(), set()),
    ],
)
def test_filters_and_search_match_only_what_the_viewer_may_see(
    client, people, query, member_expected, verified_expected
):
    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    assert names(client.get(f"{DIRECTORY}?{query}")) == member_expected
    make_verified(viewer)
    assert names(client.get(f"{DIRECTORY}?{query}")) == verified_expected


def test_verified_filter_keeps_current_practitioners_only(client, people):
    make_verified(people["karl"])
    make_verified(people["ines"], days=-3)
    client.force_login(UserFactory(username="viewer"))
    assert names(client.get(f"{DIRECTORY}?verified=on")) == {"karl"}


def test_filter_choices_only_offer_values_the_viewer_may_see(client, people):
    response = client.get(DIRECTORY)
    form = response.context["form"]
    assert [code for code, _name in form.fields["country"].choices] == ["", "PT"]
    assert [slug for slug, _name in form.fields["expertise"].choices] == ["", "osint"]


def test_an_unknown_filter_value_is_ignored(client, people):
    client.force_login(UserFactory(username="viewer"))
    assert "karl" in names(client.get(f"{DIRECTORY}?type=spy&country=ZZ"))


def test_pages_of_the_directory(client):
    for number in range(30):
        person(f"p{number:02}", name=f"Person {number:02}", profile="public")
    first = client.get(DIRECTORY)
    assert len(first.context["profiles"]) == 24
    assert b"Page 1 of 2" in first.content
    second = client.get(f"{DIRECTORY}?page=2")
    assert len(second.context["profiles"]) == 6
    assert client.get(f"{DIRECTORY}?page=3").url == f"{DIRECTORY}?page=2"  # past the end


def test_a_verified_member_shows_the_badge_with_what_they_allow(client):
    user = person(
        "vera",
        name="Vera Verified",
        profile="public",
        fields="public",
        stakeholder_type=StakeholderType.LAW_ENFORCEMENT,
        country="BE",
    )
    make_verified(user)
    content = client.get(DIRECTORY).content.decode()
    assert "Verified practitioner" in content
    assert "Law-enforcement agency" in content
    assert "Belgium" in content
    set_visibility(user, country="members")
    content = client.get(DIRECTORY).content.decode()
    assert "Verified practitioner" in content
    assert "Belgium" not in content


@pytest.mark.parametrize("count", [1, 50])
def test_directory_query_count_does_not_grow_with_members(client, django_assert_num_queries, count):
    for number in range(count):
        user = person(
            f"m{number:02}",
            name=f"Member {number:02}",
            profile="public",
            fields="public",
            country="FR",
            expertise=["osint", f"topic-{number}"],
        )
        make_verified(user)
    client.force_login(UserFactory(username="viewer"))
    client.get(DIRECTORY)
    # the viewer with their profile, countries, expertise choices, count, the page of profiles
    # with their members, their expertise (the session, roles, working groups and the header's
    # unread count come from the cache)
    with django_assert_num_queries(6):
        response = client.get(DIRECTORY)
    assert response.status_code == 200


def test_anonymous_directory_query_count(client, django_assert_num_queries):
    person("pub", name="Public Person", profile="public")
    client.get(DIRECTORY)
    # exists, countries, expertise choices, count, profiles, expertise
    with django_assert_num_queries(6):
        client.get(DIRECTORY)
