"""The library at /case-studies/: facets that combine, honest counts, links that keep filters."""

import re

import pytest

from tests.factories import make_case_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    make_case_study(
        "Festival rumour answered",
        classification="good",
        themes=["riots-and-mass-gatherings"],
        actors=["law-enforcement", "citizens"],
        platforms=["x", "tiktok"],
        country="DE",
        year=2024,
        tags=["rumour control"],
    )
    make_case_study(
        "Derby rumour ignored",
        classification="bad",
        themes=["riots-and-mass-gatherings", "trolling"],
        actors=["citizens", "criminals"],
        platforms=["telegram", "x"],
        country="IT",
        year=2022,
        tags=["rumour control", "football"],
    )
    make_case_study(
        "Officer doxxed",
        classification="ugly",
        themes=["trolling"],
        actors=["citizens", "law-enforcement"],
        platforms=["x"],
        country="FR",
        year=2024,
        tags=["doxxing"],
    )


def facet(response, name):
    found = next(f for f in response.context["library"].facets if f.name == name)
    return {value.value: value.count for value in found.values}


def titles(response):
    return [page.title for page in response.context["library"].page_obj.object_list]


def test_filters_of_different_facets_combine(client, library):
    response = client.get("/case-studies/?platform=x&year=2024&actor=law-enforcement")
    assert sorted(titles(response)) == ["Festival rumour answered", "Officer doxxed"]
    response = client.get("/case-studies/?theme=trolling&country=IT")
    assert titles(response) == ["Derby rumour ignored"]


def test_several_values_of_one_facet_must_all_match(client, library):
    response = client.get("/case-studies/?theme=trolling&theme=riots-and-mass-gatherings")
    assert titles(response) == ["Derby rumour ignored"]


def test_counts_say_what_choosing_a_value_would_find(client, library):
    everything = client.get("/case-studies/")
    assert facet(everything, "classification") == {"good": 1, "bad": 1, "ugly": 1}
    assert facet(everything, "theme") == {"riots-and-mass-gatherings": 2, "trolling": 2}
    assert facet(everything, "platform") == {"telegram": 1, "tiktok": 1, "x": 3}
    assert facet(everything, "actor") == {"law-enforcement": 2, "citizens": 3, "criminals": 1}
    assert facet(everything, "year") == {"2024": 2, "2022": 1}
    assert facet(everything, "tag") == {"rumour-control": 2, "football": 1, "doxxing": 1}

    trolling = client.get("/case-studies/?theme=trolling")
    # Multiple-choice facets narrow the current results...
    assert facet(trolling, "theme") == {"riots-and-mass-gatherings": 1, "trolling": 2}
    assert facet(trolling, "platform") == {"telegram": 1, "x": 2}
    # ...single-choice facets count as if their own value were swapped.
    assert facet(trolling, "classification") == {"bad": 1, "ugly": 1}
    assert facet(trolling, "country") == {"IT": 1, "FR": 1}

    year = client.get("/case-studies/?year=2022")
    assert facet(year, "year") == {"2024": 2, "2022": 1}
    assert facet(year, "theme") == {"riots-and-mass-gatherings": 1, "trolling": 1}


def test_text_filter_searches_titles_and_summaries(client, library):
    assert titles(client.get("/case-studies/?q=DOXXED")) == ["Officer doxxed"]
    assert sorted(titles(client.get("/case-studies/?q=rumour&classification=bad"))) == [
        "Derby rumour ignored"
    ]


def test_links_keep_the_other_filters(client, library):
    response = client.get("/case-studies/?theme=trolling&platform=x&q=rumour")
    active = {f["label"]: f["url"] for f in response.context["library"].active_filters()}
    assert active["Trolling"] == "?q=rumour&platform=x"
    assert active["rumour"] == "?theme=trolling&platform=x"
    html = response.content.decode()
    assert 'href="?q=rumour&amp;platform=x"' in html


def test_pagination_keeps_filters_and_a_page_past_the_end_goes_to_the_last(client):
    for number in range(14):
        make_case_study(f"Trolling study {number}", themes=["trolling"])
    first = client.get("/case-studies/?theme=trolling")
    assert len(titles(first)) == 12
    assert first.context["library"].pagination()["next"] == "?theme=trolling&page=2"
    second = client.get("/case-studies/?theme=trolling&page=2")
    assert len(titles(second)) == 2
    assert second.context["library"].pagination()["previous"] == "?theme=trolling"
    past = client.get("/case-studies/?theme=trolling&page=3")
    assert (past.status_code, past.url) == (302, "/case-studies/?theme=trolling&page=2")
    narrowed = client.get("/case-studies/?theme=dark-web&page=999")
    assert (narrowed.status_code, narrowed.url) == (302, "/case-studies/?theme=dark-web")
    assert client.get("/case-studies/?page=abc").status_code == 404
    assert client.get("/case-studies/?page=0").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "theme=no-such-theme",
        "classification=purple",
        "year=abc",
        "year=99999999999999999999",
        "country=ZZ",
        "tag=%00",
        "q=%00zzz",
        "actor=aliens&platform=myspace",
        "classification=good&classification=bad",
        "theme=trolling&country=DE",
        "q=" + "x" * 5000,
    ],
)
def test_unknown_or_contradictory_filters_show_a_clear_empty_state(client, library, query):
    response = client.get(f"/case-studies/?{query}")
    assert response.status_code == 200
    assert titles(response) == []
    html = response.content.decode()
    assert "No case study matches these filters." in html
    assert "Show all case studies" in html


def test_empty_values_mean_any(client, library):
    response = client.get("/case-studies/?classification=&country=&q=&theme=trolling")
    assert sorted(titles(response)) == ["Derby rumour ignored", "Officer doxxed"]


def test_cards_say_the_classification_in_words(client, library):
    html = client.get("/case-studies/?classification=ugly").content.decode()
    assert '<p class="label label--ugly">The ugly</p>' in html


FILTERED = "/case-studies/?theme=trolling&platform=x&actor=citizens&year=2024&q=study"


@pytest.mark.parametrize("size", [1, 50])
def test_library_query_count_does_not_grow_with_the_case_studies(
    client, member, django_assert_num_queries, size
):
    for number in range(size):
        make_case_study(
            f"Trolling study {number}",
            classification=["good", "bad", "ugly"][number % 3],
            themes=["trolling", "dark-web"][: number % 2 + 1],
            actors=["citizens", "law-enforcement"],
            platforms=["x", "telegram"],
            country=["DE", "FR"][number % 2],
            year=2024,
            tags=[f"tag {number % 5}", "common"],
        )
    client.get(FILTERED)  # warm the site-root cache, as a running site has it
    # Wagtail's routing and privacy check (6), counting the results (1), seven facets (7),
    # the page of results and its themes (2), the view restrictions for .public() (1).
    with django_assert_num_queries(17):
        response = client.get(FILTERED)
    assert len(titles(response)) == min(size, 12)
    client.force_login(member)
    client.get(FILTERED)
    # A member adds the member row with their profile; still constant.
    with django_assert_num_queries(18):
        client.get(FILTERED)


def test_chips_show_labels_even_for_values_no_case_study_has(client, library):
    response = client.get(
        "/case-studies/?country=BE&tag=rumour-control&theme=dark-web&actor=criminals"
        "&classification=good&platform=x"
    )
    chips = [f["label"] for f in response.context["library"].active_filters()]
    # Nothing matches all of them, so no value is counted: the labels still come from the data.
    assert chips == [
        "The good",
        "Dark web",
        "Criminals",
        "X (Twitter)",
        "Belgium",
        "rumour control",
    ]
    assert "Country: Belgium" in response.content.decode()


def test_chosen_single_values_stay_checked_when_other_filters_leave_none(client, library):
    html = client.get("/case-studies/?theme=trolling&year=2023&country=DE").content.decode()
    for value in ("2023", "DE"):
        assert re.search(rf'value="{value}"\s+checked', html), value
