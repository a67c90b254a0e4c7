"""Listings cost the same number of queries with 1 and with 50 forums, threads or posts."""

import pytest
from taggit.models import Tag

from community import services
from community.models import Forum
from tests.factories import ForumFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db


def build(size):
    """Return *size* forums, *size* threads (own authors, tags) and a thread of *size* posts."""
    forum = ForumFactory(slug="busy")
    for number in range(size):
        make_thread(forum, UserFactory(), title=f"Thread {number}", tags=[f"tag-{number % 7}"])
    for number in range(size - 1):
        ForumFactory(slug=f"other-{number}", audience=["public", "members"][number % 2])
    thread = make_thread(forum, UserFactory(), title="Long", tags=["tag-0"], body="Ask @member")
    for number in range(size - 1):
        services.post_create(author=UserFactory(), thread=thread, body=f"Post {number} @member")
    return forum, thread


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(
    ("who", "expected"),
    # Signed in adds one query: the member with their profile (the session, roles, two-factor
    # device, verified address and working groups come from the cache: caching.member_facts;
    # the header's unread count too: caching.unread_notification_count). The member's own
    # state (read markers, reactions, follow level) rides in the queries of the forum, the
    # threads, the thread and the posts. A thread page that mentions anyone asks once, for all
    # of them, which profiles the viewer may open.
    [
        ("anonymous", {"index": 1, "forum": 3, "thread": 4}),
        ("member", {"index": 2, "forum": 4, "thread": 5}),
    ],
)
def test_query_counts_do_not_grow_with_the_listing(client, member, django_assert_num_queries,
                                                   size, who, expected):  # fmt: skip
    _forum, thread = build(size)
    assert Forum.objects.filter(slug__in=["busy", "other-0"]).count() == min(size, 2)
    if who == "member":
        client.force_login(member)
        client.get(thread.get_absolute_url())  # the first visit also records the reader
    with django_assert_num_queries(expected["index"]):
        assert client.get("/forums/").status_code == 200
    with django_assert_num_queries(expected["forum"]):
        assert client.get("/forums/busy/").status_code == 200
    with django_assert_num_queries(expected["thread"]):
        assert client.get(thread.get_absolute_url()).status_code == 200
    assert Tag.objects.count() == min(size, 7)


@pytest.mark.parametrize("page", [1, 3])
def test_a_member_reads_any_page_of_a_long_thread_in_five_queries(
    client, member, django_assert_num_queries, page
):
    """The member, the thread (with their read marker and follow level), the page of posts
    (authors, profiles, their reactions), the mentioned profiles they may open, the tags."""
    _forum, thread = build(50)
    client.force_login(member)
    path = f"{thread.get_absolute_url()}?page={page}"
    client.get(path)  # the first visit moves the read marker (writes) and counts the unread
    with django_assert_num_queries(5):
        response = client.get(path)
    assert response.status_code == 200
    assert f'id="post-{thread.posts.get(number=(page - 1) * 20 + 1).pk}"' in response.text


def test_an_anonymous_visitor_served_from_the_page_cache_costs_no_query(
    client, django_assert_num_queries
):
    _forum, thread = build(3)
    for path in ["/forums/", "/forums/busy/", thread.get_absolute_url()]:
        assert client.get(path).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
