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
    # Signed in adds the member and their profile (the session, roles, two-factor device,
    # verified address and working groups come from the cache: caching.member_facts), the
    # header's unread count and the member's own state (read markers, reactions, follow level).
    # A thread page that mentions anyone asks once, for all of them, which profiles the viewer
    # may open.
    [
        ("anonymous", {"index": 1, "forum": 3, "thread": 4}),
        ("member", {"index": 4, "forum": 8, "thread": 10}),
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


def test_an_anonymous_visitor_served_from_the_page_cache_costs_no_query(
    client, django_assert_num_queries
):
    _forum, thread = build(3)
    for path in ["/forums/", "/forums/busy/", thread.get_absolute_url()]:
        assert client.get(path).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
