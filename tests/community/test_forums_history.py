"""The edit history: a compact diff with the words added and removed marked, for every reader."""

import re

import pytest

from community.presenters import edit_diff
from tests.factories import ForumFactory, make_thread

pytestmark = pytest.mark.django_db

OLDER = "Intro\n\nWe post the route an hour before.\n\nThanks,\nthe team\n\n--\nSignature"
NEWER = "Intro\n\nWe post the route a day before.\n\nThanks,\nthe team\n\n--\nSignature"


def diff_html(client, member, older, newer):
    thread = make_thread(ForumFactory(), member, body=older)
    client.force_login(member)
    assert client.post(f"/p/{thread.last_post.pk}/edit/", {"body": newer}).status_code == 302
    html = client.get(f"/p/{thread.last_post.pk}/history/").content.decode()
    return re.search(r'<div class="history-diff">.*?</div>\s*</section>', html, re.S).group(0)


def test_a_simple_edit_marks_the_words_and_nothing_else(client, member):
    html = diff_html(client, member, OLDER, NEWER)
    changed = re.search(r'history-diff__line--changed">(.*?)</div>', html, re.S).group(1)
    assert changed == (
        "We post the route "
        '<del><span class="visually-hidden">removed: </span>an hour </del>'
        '<ins><span class="visually-hidden">added: </span>a day </ins>'
        "before."
    )
    # One element per line, no <pre>: nothing doubles the line spacing.
    assert "<pre" not in html
    assert html.count("history-diff__line--changed") == 1
    assert html.count("<ins>") == html.count("<del>") == 1


def test_unchanged_lines_fold_around_the_change(client, member):
    html = diff_html(client, member, OLDER, NEWER)
    lines = re.findall(r'history-diff__line--(\w+)">(.*?)</div>', html, re.S)
    # Two lines before the change are both shown (folding one would save nothing); the six
    # after it keep one line of context and fold the rest.
    assert [kind for kind, _text in lines] == ["same", "same", "changed", "same", "skip"]
    assert lines[-1][1] == "5 unchanged lines"
    assert "Signature" not in html


def test_a_rewritten_line_shows_its_old_and_new_version_whole():
    rows = edit_diff("Rally at the old square", "Meet in the city centre tonight")
    assert [row.kind for row in rows] == ["removed", "added"]
    assert "Rally at the old square</del>" in rows[0].html
    assert "Meet in the city centre tonight</ins>" in rows[1].html


def test_added_words_are_escaped():
    (row,) = edit_diff("Report first.", "Report first. <script>alert(1)</script>")
    assert row.kind == "changed"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in row.html
    assert "<script>" not in row.html
