"""Search: ranking, highlighting, filters, odd queries, the access rule, editors' tools.

Runs on SQLite (substring matching) and PostgreSQL (full text); tests that depend on full-text
ranking or stemming say so and skip on SQLite.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query as PromotedQuery
from wagtail.contrib.search_promotions.models import SearchPromotion

from community import services
from community.models import Post
from search.models import UnansweredSearch
from tests.factories import ForumFactory, UserFactory, backdate, make_case_study, make_thread

pytestmark = pytest.mark.django_db


def full_text_only():
    if connection.vendor != "postgresql":
        pytest.skip("full-text ranking and stemming need PostgreSQL")


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code in {200, 302, 400, 404}, response.status_code
    return response, response.content.decode()


def result_titles(response):
    """Return the titles of the results in the order shown (promoted ones first)."""
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(
            r'class="search-result__title">\s*<a href="[^"]*">(.*?)</a>', html, re.S
        )
    ]


@pytest.fixture
def author(db):
    return UserFactory(username="author", display_name="Ana Author")


@pytest.fixture
def forum(db):
    return ForumFactory(name="Crowd events", slug="crowd-events")


# The page and its results ----------------------------------------------------------------------


def test_one_list_of_case_studies_threads_and_posts_with_type_place_date_and_author(
    client, forum, author
):
    make_thread(forum, author, title="Harbour festival rumours", body="We answered fast.")
    thread = make_thread(forum, author, title="Match day", body="Opening post.")
    services.post_create(author=author, thread=thread, body="A harbour rumour again.")
    make_case_study("Harbour riot", classification="ugly", summary="Riot at the harbour.")
    response, html = search(client, q="harbour")
    assert response.status_code == 200
    assert sorted(result_titles(response)) == sorted(
        ["Harbour festival rumours", "Reply in “Match day”", "Harbour riot"]
    )
    assert "3 results for “harbour”" in html
    for kind in ("Case study", "Thread", "Post"):
        assert f">{kind}<" in html
    assert 'class="label label--ugly">The ugly<' in html
    assert f'href="{forum.get_absolute_url()}">Crowd events</a>' in html
    assert "by Ana Author" in html
    assert "<time datetime=" in html


def test_the_header_has_a_search_box_and_the_nav_a_search_link(client):
    html = client.get("/forums/").content.decode()
    assert 'role="search"' in html
    assert 'action="/search/"' in html
    assert 'href="/search/"' in html


def test_title_match_outranks_body_match(client, forum, author):
    full_text_only()
    body_thread = make_thread(forum, author, title="Match day", body="Opening post.")
    services.post_create(
        author=author,
        thread=body_thread,
        body="Rumour after rumour: the rumour mill ran all night, rumours everywhere.",
    )
    make_thread(forum, author, title="Rumour control", body="How we answer.")
    response, _html = search(client, q="rumour")
    assert result_titles(response)[:2] == ["Rumour control", "Reply in “Match day”"]


def test_case_study_title_outranks_a_case_study_summary_match(client):
    full_text_only()
    make_case_study("Quiet street", summary="A drone flew over the crowd.")
    make_case_study("Drone sightings", summary="Reports came in.")
    response, _html = search(client, q="drones")
    assert result_titles(response) == ["Drone sightings", "Quiet street"]


def test_stemming_finds_other_forms_of_a_word(client, forum, author):
    full_text_only()
    make_thread(forum, author, title="Policing the derby", body="x")
    response, _html = search(client, q="policed")
    assert result_titles(response) == ["Policing the derby"]


def test_matches_are_highlighted_and_everything_else_is_escaped(client, forum, author):
    thread = make_thread(forum, author, title="Match <b>day</b>", body="Opening.")
    services.post_create(
        author=author,
        thread=thread,
        body='<script>alert("x")</script> The rumour spread <mark>fast</mark>. \ue000evil\ue001',
    )
    _response, html = search(client, q="rumour")
    assert "<mark>rumour</mark>" in html
    assert "Match &lt;b&gt;day&lt;/b&gt;" in html
    # Markup in the text is escaped (SQLite) or dropped (PostgreSQL's headlines), never run;
    # only the search's own markers become <mark>, balanced.
    snippet = html.split('class="search-result__snippet">')[1].split("</p>")[0]
    assert "<script" not in snippet
    assert "<mark>fast" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1


def test_thread_titles_are_highlighted(client, forum, author):
    make_thread(forum, author, title="Rumour control at the derby", body="x")
    _response, html = search(client, q="derby")
    assert "<mark>derby</mark>" in html


def test_a_search_finds_a_post_by_its_new_text_after_an_edit(client, forum, author):
    thread = make_thread(forum, author, title="Match day", body="About kites.")
    post = thread.posts.get(number=1)
    services.post_edit(editor=author, post=post, body="About balloons.")
    # The opening post: titled by its thread.
    assert result_titles(search(client, q="balloons")[0]) == ["Match day"]
    assert result_titles(search(client, q="kites")[0]) == []


def test_deleted_posts_are_not_found(client, forum, author):
    thread = make_thread(forum, author, title="Match day", body="Opening.")
    post = services.post_create(author=author, thread=thread, body="Secret zeppelin plan.")
    services.post_delete(actor=author, post=post)
    assert result_titles(search(client, q="zeppelin")[0]) == []


# Filters, sorting and pages --------------------------------------------------------------------


@pytest.fixture
def mixed(forum, author):
    other = ForumFactory(name="Cyber", slug="cyber")
    first = make_thread(forum, author, title="Flood warnings", body="x", tags=["weather"])
    second = make_thread(other, author, title="Flood of spam", body="x")
    backdate(first, timezone.now() - datetime.timedelta(days=40))
    make_case_study("Flood response", classification="good", themes=[], tags=["weather"])
    make_case_study("Flood trolls", classification="ugly")
    return {"first": first, "second": second, "other": other}


def titles_for(client, **params):
    return sorted(result_titles(search(client, q="flood", **params)[0]))


def test_filter_by_type(client, mixed):
    assert titles_for(client, type="thread") == ["Flood of spam", "Flood warnings"]
    assert titles_for(client, type="case_study") == ["Flood response", "Flood trolls"]


def test_filter_by_forum_keeps_its_discussions(client, mixed):
    assert titles_for(client, forum="cyber") == ["Flood of spam"]


def test_filter_by_classification_keeps_case_studies(client, mixed):
    assert titles_for(client, classification="ugly") == ["Flood trolls"]


def test_filter_by_theme(client, mixed):
    from knowledgebase.models import CaseStudyPage, Theme

    theme = Theme.objects.first()
    page = CaseStudyPage.objects.get(title="Flood trolls")
    page.themes.add(theme)
    page.save_revision().publish()
    assert titles_for(client, theme=theme.slug) == ["Flood trolls"]


def test_filter_by_tag(client, mixed):
    assert titles_for(client, tag="weather") == ["Flood response", "Flood warnings"]


def test_filter_by_date_range(client, mixed):
    today = timezone.localdate()
    recent = titles_for(client, date_from=(today - datetime.timedelta(days=7)).isoformat())
    assert "Flood warnings" not in recent
    assert "Flood of spam" in recent
    old = titles_for(client, date_to=(today - datetime.timedelta(days=30)).isoformat())
    assert old == ["Flood warnings"]


def test_a_date_range_backwards_is_refused_with_a_message_keeping_the_query(client, mixed):
    response, html = search(client, q="flood", date_from="2026-05-01", date_to="2026-01-01")
    assert response.status_code == 400
    assert "Choose an end date on or after the start date." in html
    assert 'value="flood"' in html


def test_unknown_filter_values_get_a_message_not_an_error(client, mixed):
    response, html = search(client, q="flood", forum="no-such-forum", date_from="yesterday")
    assert response.status_code == 400
    assert "Select a valid choice" in html
    assert "Enter a valid date." in html


def test_sort_by_date_puts_the_newest_first(client, mixed):
    titles = result_titles(search(client, q="flood", sort="date")[0])
    assert titles[-1] == "Flood warnings"


def test_results_are_paginated_keeping_the_query(client, forum, author):
    for number in range(23):
        make_thread(forum, author, title=f"Kite {number}", body="x")
    response, html = search(client, q="kite")
    assert len(result_titles(response)) == 20
    assert "Page 1 of 2" in html
    assert "?q=kite&amp;page=2" in html
    assert len(result_titles(search(client, q="kite", page=2)[0])) == 3
    assert search(client, q="kite", page=3)[0].status_code == 302  # to the last page
    assert search(client, q="kite", page="x")[0].status_code == 404


def test_type_counts_link_to_one_type(client, mixed):
    _response, html = search(client, q="flood")
    assert "?q=flood&amp;type=thread" in html


# Odd queries -----------------------------------------------------------------------------------

NOTHING_TO_SEARCH = "Type at least one word to search for"


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("!!! ??? ...", NOTHING_TO_SEARCH),
        ("the of and", NOTHING_TO_SEARCH),
        ("🚓🚨", NOTHING_TO_SEARCH),
        ('"', NOTHING_TO_SEARCH),
        ('"harbour', "1 result"),
        ('"harbour festival"', "1 result"),
        ("'; DROP TABLE community_post; --", "0 results"),
        ("harbour & !(festival | x) <-> y:*", None),
        ("harbour OR riot -festival", None),
        ("harbour\x00", "1 result"),
        ("полиция", "1 result"),
        ("警察", None),
        ("%_%", NOTHING_TO_SEARCH),
    ],
)
def test_odd_queries_get_a_sensible_answer(client, forum, author, query, expect):
    make_thread(forum, author, title="Harbour festival", body="x")
    make_thread(forum, author, title="полиция на месте", body="x")
    make_thread(forum, author, title="警察", body="x")
    response, html = search(client, q=query)
    assert response.status_code == 200
    if expect:
        assert expect in html
    assert Post.objects.count() == 3


def test_an_empty_query_shows_the_search_form(client):
    response, html = search(client, q="")
    assert response.status_code == 200
    assert "What are you looking for?" in html
    assert client.get("/search/").status_code == 200


def test_a_very_long_query_is_shortened_with_a_message(client, forum, author):
    make_thread(forum, author, title="Harbour festival", body="x")
    response, html = search(client, q="harbour " + "x" * 1000)
    assert response.status_code == 200
    assert "Your search was shortened to its first 200 characters." in html


# Editors: searches without results, pinned case studies ----------------------------------------


def test_searches_without_results_are_counted_without_personal_data(client, member):
    search(client, q="Zeppelin   Attack")
    client.force_login(member)
    search(client, q="zeppelin attack")
    row = UnansweredSearch.objects.get()
    assert (row.query, row.count, row.last_searched_on) == (
        "zeppelin attack",
        2,
        timezone.localdate(),
    )
    assert {f.name for f in UnansweredSearch._meta.fields} == {
        "id",
        "query",
        "count",
        "last_searched_on",
    }


def test_filtered_or_fruitful_searches_are_not_counted(client, forum, author):
    make_thread(forum, author, title="Harbour festival", body="x")
    search(client, q="harbour")
    search(client, q="zeppelin", type="thread")
    search(client, q="!!!")
    assert not UnansweredSearch.objects.exists()


def test_editors_see_searches_without_results_in_the_admin(client):
    from allauth.mfa.totp.internal.auth import TOTP

    UnansweredSearch.objects.create(query="zeppelin attack", count=4)
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(editor)
    response = client.get("/admin/snippets/search/unansweredsearch/")
    assert response.status_code == 200
    assert "zeppelin attack" in response.content.decode()
    assert client.get("/admin/searchpicks/").status_code == 200


@pytest.fixture
def promoted():
    from community.models import WorkingGroup

    public = make_case_study("Pinned for everyone", summary="About stadiums.")
    members = make_case_study("Pinned for members", audience="members", summary="Stadiums.")
    group = WorkingGroup.objects.create(name="Ops", slug="ops")
    hidden = make_case_study("Pinned for a group", audience="group", group=group, summary="S.")
    query = PromotedQuery.get("Kick-off")
    for order, page in enumerate([hidden, members, public]):
        SearchPromotion.objects.create(query=query, page=page, sort_order=order)
    make_case_study("Kick-off rules", summary="The kick-off.")


def test_pinned_case_studies_come_first_and_only_when_visible(client, promoted, member):
    response, html = search(client, q="kick-off")
    assert result_titles(response) == ["Pinned for everyone", "Kick-off rules"]
    assert "Recommended by the editors" in html
    client.force_login(member)
    response, _html = search(client, q="  KICK-OFF ")
    assert result_titles(response) == [
        "Pinned for members",
        "Pinned for everyone",
        "Kick-off rules",
    ]


def test_pinned_case_studies_are_not_shown_twice(client, promoted):
    make_case_study("Kick-off again", summary="Pinned for everyone kick-off.")
    from knowledgebase.models import CaseStudyPage

    page = CaseStudyPage.objects.get(title="Pinned for everyone")
    page.summary = "The kick-off, pinned."
    page.save_revision().publish()
    titles = result_titles(search(client, q="kick-off")[0])
    assert titles.count("Pinned for everyone") == 1


# Query count ------------------------------------------------------------------------------------


def test_search_page_query_count_does_not_grow_with_results(
    client, forum, author, django_assert_num_queries
):
    for number in range(11):
        thread = make_thread(forum, author, title=f"Harbour {number}", body="Harbour news.")
        services.post_create(author=author, thread=thread, body="The harbour again.")
        make_case_study(f"Harbour study {number}")
    # Forums and themes for the filters, [PostgreSQL: are there words], promotions, page view
    # restrictions, two counts (case studies; discussions by title, by posts and in all), one
    # page of ids, the sites (page URLs), case studies, threads, their best-matching posts.
    expected = 12 if connection.vendor == "postgresql" else 11
    with django_assert_num_queries(expected):
        response = client.get("/search/", {"q": "harbour"})
    assert len(result_titles(response)) == 20
    # Each discussion shown once, with its other matching post counted.
    discussions = [title for title in result_titles(response) if "study" not in title]
    more = re.findall(r"1 more matching post\s*</a>", response.content.decode())
    assert len(more) == len(discussions) > 0


def test_very_common_words_count_as_more_than_and_rank_the_newest(
    client, forum, author, monkeypatch
):
    from search import ranking as engine

    monkeypatch.setattr(engine, "MAX_RESULTS", 3)
    for number in range(5):
        thread = make_thread(forum, author, title=f"Kite {number}", body="x")
        backdate(thread, timezone.now() - datetime.timedelta(days=10 - number))
    response, html = search(client, q="kite")
    assert "More than 3 results for “kite”" in html
    assert sorted(result_titles(response)) == ["Kite 2", "Kite 3", "Kite 4"]


def test_a_case_study_is_found_by_its_published_text_not_its_draft(client):
    from knowledgebase.models import CaseStudyPage

    make_case_study("Harbour watch", summary="Kites over the harbour.")
    page = CaseStudyPage.objects.get(title="Harbour watch")
    page.summary = "Balloons over the harbour."
    page.save_revision()
    assert result_titles(search(client, q="balloons")[0]) == []
    page.save_revision().publish()
    assert result_titles(search(client, q="balloons")[0]) == ["Harbour watch"]
    assert result_titles(search(client, q="kites")[0]) == []
