"""A page number past the end of a listing goes to its last page; nonsense pages stay 404."""

import pytest

from tests.factories import ForumFactory, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    forum = ForumFactory(slug="open")
    make_thread(forum, title="Helicopter questions", body="Helicopter noise at night.")
    return forum


@pytest.mark.parametrize(
    ("path", "last"),
    [
        ("/forums/open/?sort=newest&page=999", "/forums/open/?sort=newest"),
        ("/search/?q=helicopter&page=999", "/search/?q=helicopter"),
    ],
)
def test_a_page_past_the_end_redirects_to_the_last_page(client, forum, path, last):
    response = client.get(path)
    assert (response.status_code, response.url) == (302, last)
    assert client.get(response.url).status_code == 200


def test_a_thread_page_past_the_end_redirects_and_nonsense_stays_not_found(client, forum):
    thread = forum.threads.get()
    response = client.get(f"{thread.get_absolute_url()}?page=5")
    assert (response.status_code, response.url) == (302, thread.get_absolute_url())
    for page in ("0", "abc", "-1"):
        assert client.get(f"/forums/open/?page={page}").status_code == 404
        assert client.get(f"/search/?q=helicopter&page={page}").status_code == 404
