"""Markdown for posts: rendered once when a post is saved, sanitised, and stored as HTML.

CommonMark plus tables, strikethrough and bare links. Raw HTML in the source is shown as text,
and the output still goes through an allow-list (nh3), so the stored HTML is safe to show even if
a parser rule ever lets something through. Links are marked as user content; images are kept
only when they come from the portal's own uploads (``MEDIA_URL``); ``@username`` links to the
member's profile, for readers who may open it (``mentions_resolve``).
"""

import re
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from markdown_it.token import Token

LINK_REL = "nofollow ugc noopener"
# What mentions of an erased account read after erasure: a name nobody may take, never a link.
FORMER_MEMBER = "former-member"
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.+-]{0,148}[A-Za-z0-9_])?)")
# Posts are shown under the thread title (h1) and the post heading (h2).
HEADING_OFFSET = 2

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "img", "li",
    "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}


@dataclass
class Rendered:
    html: str
    mentions: set[str] = field(default_factory=set)


def is_local_image(src: str) -> bool:
    """Return whether *src* points into the portal's own uploads."""
    media_url = settings.MEDIA_URL
    return (
        bool(src)
        and src.startswith(media_url)
        and not src.startswith("//")
        and ".." not in src
        and "\\" not in src
    )


def member_profile_url(username: str) -> str:
    """Return the stable public URL of a member's profile (the page itself comes later)."""
    return f"/members/{username}/"


# A mention as stored: a link for every ``@name``, whoever it names. Whether the reader gets the
# link depends on whether they may open that profile, so pages resolve mentions when they show
# stored HTML (``mentions_resolve``); a mention left unresolved shows as plain text.
MENTION_LINK_RE = re.compile(rf'<a href="/members/([^"/<>]+)/" rel="{re.escape(LINK_REL)}">@\1</a>')


def mentioned(html: str) -> set[str]:
    """Return the usernames that stored *html* mentions."""
    return set(MENTION_LINK_RE.findall(html))


def mentions_resolve(html: str, linkable) -> str:
    """Return stored *html* with links only for the mentions of *linkable* usernames."""
    return MENTION_LINK_RE.sub(
        lambda match: match.group(0) if match.group(1) in linkable else f"@{match.group(1)}", html
    )


def _mentions_rule(state):
    """Turn ``@username`` in text (outside links, code and quotes) into profile links."""
    found = state.env.setdefault("mentions", set())
    quote_depth = 0
    for block in state.tokens:
        if block.type == "blockquote_open":
            quote_depth += 1
        elif block.type == "blockquote_close":
            quote_depth -= 1
        if block.type != "inline" or not block.children:
            continue
        children, link_depth = [], 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            if token.type != "text" or link_depth or "@" not in token.content:
                children.append(token)
                continue
            children.extend(_split_mentions(token.content, found if not quote_depth else set()))
        block.children = children


def _split_mentions(text, found):
    tokens, last = [], 0
    for match in MENTION_RE.finditer(text):
        username = match.group(1)
        if match.start() > last:
            tokens.append(_text(text[last : match.start()]))
        if username == FORMER_MEMBER:
            tokens.append(_text(match.group(0)))
            last = match.end()
            continue
        link = Token("link_open", "a", 1)
        link.attrs = {"href": member_profile_url(username)}
        tokens.extend([link, _text(f"@{username}"), Token("link_close", "a", -1)])
        found.add(username)
        last = match.end()
    if last < len(text):
        tokens.append(_text(text[last:]))
    return tokens


def _text(content):
    token = Token("text", "", 0)
    token.content = content
    return token


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    if is_local_image(token.attrGet("src") or ""):
        return self.image(tokens, idx, options, env)
    # An image from elsewhere would tell another host who reads the portal: keep its words only.
    return self.renderInline(token.children or [], options, env)


def _render_heading_open(self, tokens, idx, options, env):
    token = tokens[idx]
    level = min(int(token.tag[1]) + HEADING_OFFSET, 6)
    return f"<h{level}>"


def _render_heading_close(self, tokens, idx, options, env):
    level = min(int(tokens[idx].tag[1]) + HEADING_OFFSET, 6)
    return f"</h{level}>\n"


def _build_parser():
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.core.ruler.push("mentions", _mentions_rule)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    return md


_parser = _build_parser()


def _filter_attribute(element, attribute, value):
    if element == "img" and attribute == "src" and not is_local_image(value):
        return None
    return value


def sanitise(html: str) -> str:
    """Return *html* with only the allowed tags, attributes and URL schemes left."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(text: str) -> Rendered:
    """Render Markdown *text* to safe HTML; also return the usernames it mentions."""
    env: dict = {}
    html = _parser.render(text, env)
    return Rendered(html=sanitise(html), mentions=env.get("mentions", set()))


def quote(*, text: str, username: str, permalink: str, label: str) -> str:
    """Return *text* as a Markdown quote attributed to *username*, linking to the quoted post."""
    lines = [f"> @{username} [{label}]({permalink}):", ">"]
    lines += [f"> {line}".rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines) + "\n\n"


QUOTED_POST_RE = re.compile(r"^>.*\]\(/p/(\d+)/\)", re.MULTILINE)


def quoted_post_ids(text: str) -> set[int]:
    """Return the ids of the posts *text* quotes (quote lines that link to a post permalink)."""
    return {int(post_id) for post_id in QUOTED_POST_RE.findall(text)}


_QUOTE_MARKERS_RE = re.compile(r"^ {0,3}((?:> ?)+)")


def _quote_depth(line: str) -> int:
    found = _QUOTE_MARKERS_RE.match(line)
    return found.group(1).count(">") if found else 0


def quote_redact(text: str, *, post_id: int, note: str) -> str:
    """Return *text* with the quoted lines of post *post_id* replaced by *note*.

    A quote made by ``quote`` starts with a heading line that links to the post; the quoted lines
    are those after it that are at least as deeply quoted. The heading stays (who, which post),
    so does everything around the quote; quotes nested in other quotes are found too.
    """
    heading = re.compile(rf"^ {{0,3}}(?:> ?)+@[^\[\n]*\[[^\]\n]*\]\(/p/{post_id}/\):\s*$")
    lines, kept, index, found = text.splitlines(), [], 0, False
    while index < len(lines):
        line = lines[index]
        kept.append(line)
        index += 1
        if not heading.match(line):
            continue
        found = True
        depth = _quote_depth(line)
        while index < len(lines) and _quote_depth(lines[index]) >= depth:
            index += 1
        prefix = " ".join(">" * depth)
        kept += [prefix, f"{prefix} *{note}*"]
    if not found:
        return text
    return "\n".join(kept) + ("\n" if text.endswith("\n") else "")
