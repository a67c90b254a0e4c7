"""Profiles: editing under /settings/, per-field visibility, avatars, and visible activity."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from community import markdown
from community.models import Profile, ProfileVisibility, StakeholderType
from tests.factories import (
    ForumFactory,
    UserFactory,
    as_told,
    make_moderator,
    make_staff,
    make_thread,
    make_verified,
    set_visibility,
)

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("community:settings")
LEVELS = [ProfileVisibility.PUBLIC, ProfileVisibility.MEMBERS, ProfileVisibility.VERIFIED]
SEES = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "verified": {"public", "members", "verified"},
    "staff": {"public", "members", "verified"},
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def profile_url(user):
    return reverse("community:member_detail", args=[user.username])


def login_as(client, actor):
    if actor == "anonymous":
        return None
    if actor == "staff":
        user = make_staff("staff-viewer")
    else:
        user = UserFactory(username=f"{actor}-viewer")
        if actor == "verified":
            make_verified(user)
    client.force_login(user)
    return user


def settings_data(**changes):
    data = {
        "user-display_name": "Maria Lopez",
        "profile-stakeholder_type": StakeholderType.LAW_ENFORCEMENT,
        "profile-organisation": "Policía Local",
        "profile-role": "Community liaison",
        "profile-country": "ES",
        "profile-languages": ["es", "en"],
        "profile-expertise": "OSINT, crisis communication",
        "profile-bio_markdown": "I **lead** the team. <script>alert(1)</script>",
        "profile-link_1": "https://example.org/maria",
        "profile-link_2": "",
        "profile-link_3": "",
    }
    for field in ["profile", "stakeholder_type", "organisation", "role", "country"]:
        data[f"profile-visibility_{field}"] = "public"
    for field in ["languages", "expertise", "bio", "links", "avatar"]:
        data[f"profile-visibility_{field}"] = "members"
    return data | changes


@pytest.mark.parametrize("actor", SEES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_field_is_seen_by_whom_the_member_chose(client, actor, level):
    owner = UserFactory(username="owner", display_name="Olga Owner")
    Profile.objects.filter(user=owner).update(
        organisation="Hidden Org Ltd", country="BE", bio_html="<p>Bio text here</p>"
    )
    set_visibility(owner, profile="public", organisation=level, country=level, bio=level)
    login_as(client, actor)
    content = client.get(profile_url(owner)).content.decode()
    shown = level in SEES[actor]
    assert "Olga Owner" in content
    assert ("Hidden Org Ltd" in content) is shown
    assert ("Belgium" in content) is shown
    assert ("Bio text here" in content) is shown


@pytest.mark.parametrize("actor", SEES)
@pytest.mark.parametrize("level", LEVELS)
def test_a_profile_the_viewer_may_not_see_is_a_404(client, actor, level):
    owner = UserFactory(username="owner")
    set_visibility(owner, profile=level)
    login_as(client, actor)
    response = client.get(profile_url(owner))
    if level in SEES[actor]:
        assert response.status_code == 200
    else:  # exactly what a name nobody has gets
        missing = client.get("/members/nobody-here/")
        assert as_told(response, "owner") == as_told(missing, "nobody-here")
        assert missing.status_code == 404


MENTIONS = "Ask @owner, or @nobody-here."


def mention_link(username):
    return f'<a href="/members/{username}/" rel="nofollow ugc noopener">@{username}</a>'


@pytest.mark.parametrize("actor", SEES)
@pytest.mark.parametrize("level", LEVELS)
def test_a_mention_links_only_to_a_profile_the_viewer_may_open(client, actor, level):
    """Everywhere stored Markdown is shown: posts, previews, the flag page, a bio."""
    owner = UserFactory(username="owner")
    set_visibility(owner, profile=level)
    writer = UserFactory(username="writer")
    set_visibility(writer, profile="public", bio="public")
    Profile.objects.filter(user=writer).update(bio_html=markdown.render(MENTIONS).html)
    thread = make_thread(ForumFactory(slug="open"), writer, body=MENTIONS)
    viewer = login_as(client, actor)
    pages = [client.get(thread.get_absolute_url()), client.get(profile_url(writer))]
    if viewer:
        post = thread.posts.get()
        pages.append(client.get(f"/p/{post.pk}/flag/"))
        pages.append(client.post(f"/t/{thread.pk}/reply/", {"body": MENTIONS, "preview": "1"}))
    for page in pages:
        html = page.content.decode()
        assert "@owner" in html
        assert (mention_link("owner") in html) is (level in SEES[actor])
        assert "/members/nobody-here/" not in html


def test_cached_visitor_pages_drop_the_link_once_the_profile_is_closed(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(username="owner")
    set_visibility(owner, profile="public")
    thread = make_thread(ForumFactory(slug="open"), UserFactory(username="writer"), body=MENTIONS)
    visitor = Client()
    assert mention_link("owner") in visitor.get(thread.get_absolute_url()).content.decode()
    client.force_login(owner)
    closed = settings_data(**{"profile-visibility_profile": "members"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETTINGS_URL, closed)
    assert response.status_code == 302
    assert mention_link("owner") not in visitor.get(thread.get_absolute_url()).content.decode()


def test_moderators_get_no_link_to_a_profile_they_may_not_open(client):
    owner = UserFactory(username="owner")
    set_visibility(owner, profile="verified")
    thread = make_thread(ForumFactory(slug="open"), UserFactory(username="writer"), body=MENTIONS)
    client.force_login(make_moderator())
    post = thread.posts.get()
    client.post(f"/p/{post.pk}/flag/", {"reason": "spam"})
    for url in ["/moderation/", f"/moderation/posts/{post.pk}/"]:
        html = client.get(url).content.decode()
        assert "@owner" in html
        assert "/members/owner/" not in html


def test_members_always_see_their_own_profile_in_full(client):
    owner = UserFactory(username="owner")
    Profile.objects.filter(user=owner).update(organisation="Own Org")
    set_visibility(owner, profile="verified", organisation="verified")
    client.force_login(owner)
    response = client.get(profile_url(owner))
    assert b"Own Org" in response.content
    assert b"Edit your profile" in response.content


def test_a_deactivated_members_profile_is_gone(client):
    owner = UserFactory(username="owner", is_active=False)
    set_visibility(owner, profile="public")
    assert client.get(profile_url(owner)).status_code == 404


def test_member_edits_the_whole_profile_and_bio_is_sanitised(client, member):
    client.force_login(member)
    response = client.post(SETTINGS_URL, settings_data(), follow=True)
    assert b"Your profile was saved." in response.content
    profile = Profile.objects.get(user=member)
    assert profile.country == "ES"
    assert profile.languages == ["es", "en"]
    assert sorted(t.name for t in profile.expertise.all()) == ["crisis communication", "osint"]
    assert profile.links == ["https://example.org/maria"]
    assert profile.visibility["organisation"] == "public"
    assert "<strong>lead</strong>" in profile.bio_html
    assert "<script>" not in profile.bio_html
    page = client.get(profile_url(member)).content.decode()
    assert "Spanish, English" in page
    assert "<strong>lead</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_expertise_tags_do_not_mix_with_thread_tags(client, member):
    from taggit.models import Tag

    client.force_login(member)
    client.post(SETTINGS_URL, settings_data())
    assert not Tag.objects.filter(name="osint").exists()


def test_links_must_be_web_addresses(client, member):
    client.force_login(member)
    for bad in ["javascript:alert(1)", "ftp://files.example.eu/x", "not a link"]:
        response = client.post(SETTINGS_URL, settings_data(**{"profile-link_2": bad}))
        # Once by the field and once, linked to it, in the error summary.
        assert response.content.count(b"Enter a valid URL.") == 2, bad
        assert b'<a href="#id_profile-link_2">' in response.content, bad
        assert bad.encode() in response.content  # what was typed stays in the field
    assert Profile.objects.get(user=member).links == []


# Avatars


def png_bytes(size=(600, 400), colour=(200, 30, 30), exif=True):
    image = Image.new("RGB", size, colour)
    output = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(output, format="JPEG", **kwargs)
    return output.getvalue()


def bomb_png(width=100_000, height=100_000):
    """Return a tiny PNG whose header claims a huge image (nothing else is needed to open it)."""
    output = io.BytesIO()
    Image.new("1", (1, 1)).save(output, format="PNG")
    data = bytearray(output.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def upload(client, name, content, content_type="image/jpeg"):
    data = settings_data(**{"profile-avatar": SimpleUploadedFile(name, content, content_type)})
    return client.post(SETTINGS_URL, data)


def test_avatar_is_cut_to_a_square_re_encoded_and_stripped_of_metadata(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = upload(client, "holiday.jpg", png_bytes())
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.avatar.name.startswith("avatars/")
    assert "holiday" not in profile.avatar.name
    with Image.open(profile.avatar.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (256, 256)
        assert not stored.getexif()
    assert profile.avatar.url.encode() in client.get(profile_url(member)).content

    # Removing the photo deletes its file once the change is committed.
    old_path = profile.avatar.path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETTINGS_URL, settings_data(**{"profile-remove_avatar": "on"}))
    assert not Profile.objects.get(user=member).avatar
    assert not Path(old_path).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "not a photo"),
        (
            "avatar.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a photo",
        ),
        ("huge.jpg", b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024), "a photo can be at most 5"),
        ("bomb.png", bomb_png(), "too large in pixels"),
        ("bomb-small.png", bomb_png(9_000, 9_000), "too large in pixels"),
    ],
    ids=["renamed-pdf", "svg-with-script", "30-mb", "decompression-bomb", "over-pixel-limit"],
)
def test_avatar_that_is_not_a_usable_image_is_refused_clearly(
    client, member, name, content, message
):
    client.force_login(member)
    response = upload(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Policía Local"' in response.content.decode()
    profile = Profile.objects.get(user=member)
    assert not profile.avatar
    assert profile.organisation == ""


def test_without_a_photo_an_initials_avatar_is_drawn(client, member):
    member.display_name = "Maria Lopez"
    member.save()
    set_visibility(member, profile="public")
    content = client.get(profile_url(member)).content.decode()
    assert 'class="avatar avatar--large avatar--initials' in content
    assert ">ML</span>" in content


# Activity on the profile


def test_profile_shows_only_threads_and_posts_the_viewer_may_see(client):
    author = UserFactory(username="author")
    set_visibility(author, profile="public")
    public = ForumFactory(audience="public")
    verified = ForumFactory(audience="verified")
    make_thread(public, author, title="Open thread", replies=1)
    make_thread(verified, author, title="Closed thread", replies=1)
    deleted = make_thread(public, author, title="Thread with a deleted reply", replies=1)
    from community import services

    services.post_delete(actor=author, post=deleted.posts.get(number=2))

    content = client.get(profile_url(author)).content.decode()
    assert "Open thread" in content
    assert "Closed thread" not in content
    assert content.count("Reply #2") == 1

    client.force_login(make_verified(UserFactory()))
    content = client.get(profile_url(author)).content.decode()
    assert "Closed thread" in content
    assert content.count("Reply #2") == 2


def _profile_with_activity(count):
    author = UserFactory(username="busy")
    set_visibility(author, profile="public", expertise="public")
    forum = ForumFactory(audience="public")
    for number in range(count):
        make_thread(forum, author, title=f"Thread {number}", replies=1 if number < 5 else 0)
    make_verified(author)
    from community import services

    services.profile_update(user=author, display_name="Busy Bee", expertise=["a", "b", "c"])
    return author


@pytest.mark.parametrize("count", [1, 50])
def test_profile_page_query_count_does_not_grow_with_activity(
    client, django_assert_num_queries, count
):
    author = _profile_with_activity(count)
    client.force_login(UserFactory(username="viewer"))
    url = profile_url(author)
    client.get(url)
    # the viewer with their profile (is the viewer verified?), the profile with its member,
    # expertise, threads, posts (the session, the viewer's roles and working groups and the
    # header's unread count come from the cache)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    assert b"Verified practitioner" in response.content


def test_post_badges_cost_no_query_per_post(django_assert_num_queries):
    """Posts render their badges from what ``Post.objects.for_page`` fetched already."""
    from community.fragments import post_fragments
    from community.models import Thread
    from community.permissions import may_write, role_names

    forum = ForumFactory(audience="public")
    author = make_verified(UserFactory(username="badged"))
    set_visibility(author, stakeholder_type="public", country="public")
    Profile.objects.filter(user=author).update(country="NL")
    thread = make_thread(forum, author, replies=9)
    viewer = UserFactory(username="reader")
    # The request has loaded these before any post is rendered.
    viewer.profile  # noqa: B018
    may_write(viewer)
    role_names(viewer)  # the two-factor middleware asks for the roles on every request
    thread = Thread.objects.select_related("forum").get(pk=thread.pk)
    posts = list(thread.posts.for_page(viewer))
    with django_assert_num_queries(0):
        html = "".join(post_fragments(posts, viewer=viewer, page={"number": 1}))
    assert html.count("Verified practitioner") == 10
    assert html.count("Netherlands") == 10
