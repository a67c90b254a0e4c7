"""Posts are Markdown rendered once and sanitised: nothing a member types can run or track."""

import pytest

from community.markdown import quoted_post_ids, render


def html(text):
    return render(text).html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "<a href='javascript:alert(1)'>click</a>",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_script_links_never_become_links(text):
    out = html(text)
    assert "<a " not in out
    assert 'href="javascript' not in out.lower()
    assert 'href="vbscript' not in out.lower()


@pytest.mark.parametrize(
    "text",
    [
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        "[file](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_data_uris_never_become_links_or_images(text):
    out = html(text)
    assert 'href="data:' not in out
    assert 'src="data:' not in out
    assert "<img" not in out


def test_raw_html_is_shown_as_text_not_run():
    out = html('<script>alert(1)</script> <img src=x onerror="alert(1)"> <b>bold</b>')
    assert "<script" not in out
    assert "<img" not in out
    assert "<b>" not in out
    assert "&lt;script&gt;" in out


def test_images_from_other_hosts_are_dropped_keeping_their_words():
    out = html("![map of the route](https://tracker.example.com/pixel.png)")
    assert "<img" not in out
    assert "tracker.example.com" not in out
    assert "map of the route" in out


def test_images_from_the_portal_uploads_are_kept():
    out = html("![route](/media/uploads/route.png)")
    assert '<img src="/media/uploads/route.png" alt="route">' in out


def test_images_that_climb_out_of_the_uploads_are_dropped():
    assert "<img" not in html("![x](/media/../admin/logo.png)")
    assert "<img" not in html("![x](//evil.example.com/media/x.png)")


def test_links_and_bare_urls_are_marked_as_user_content():
    out = html("See https://example.org/guide and [the code](https://example.org/coc).")
    assert out.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org/guide"' in out


def test_mentions_link_to_profiles_and_are_reported():
    rendered = render("Thanks @mira and @jan.vries, see mira@example.eu")
    assert '<a href="/members/mira/" rel="nofollow ugc noopener">@mira</a>' in rendered.html
    assert '<a href="/members/jan.vries/"' in rendered.html
    assert rendered.mentions == {"mira", "jan.vries"}


def test_mentions_inside_code_links_and_quotes_do_not_notify():
    rendered = render("`@code` [@linked](https://example.org)\n\n> @quoted wrote\n\nplain text")
    assert rendered.mentions == set()


def test_commonmark_tables_and_strikethrough():
    out = html("| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~gone~~")
    assert "<table>" in out
    assert "<td>2</td>" in out
    assert "style=" not in out  # the CSP allows no inline styles
    assert "<s>gone</s>" in out


def test_headings_sit_below_the_thread_and_post_headings():
    assert "<h3>Title</h3>" in html("# Title")


def test_quotes_are_found_by_their_permalink():
    text = "> @mira [wrote in post #2](/p/42/):\n>\n> original\n\nMy answer, see /p/7/."
    assert quoted_post_ids(text) == {42}
