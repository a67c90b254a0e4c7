"""Writes of the knowledge base that reach into the community: discussions, requests by people in
case studies."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from community import emails
from community.models import Audience, Forum, PersonRequest, Thread
from community.services import thread_create, thread_move, thread_withdrawal_set

from .models import CaseStudyIndexPage, CaseStudyPage

logger = logging.getLogger(__name__)


def discussion_forum_for(page: CaseStudyPage) -> Forum | None:
    """Return the forum for *page*'s discussion: one with the same audience (and group).

    ``CASE_STUDY_DISCUSSION_FORUMS`` names the preferred forum per audience; without one, the
    first forum of that audience in the index order is used.
    """
    forums = Forum.objects.filter(audience=page.audience)
    if page.audience == Audience.GROUP:
        forums = forums.filter(group_id=page.group_id)
    preferred = settings.CASE_STUDY_DISCUSSION_FORUMS.get(page.audience)
    return (preferred and forums.filter(slug=preferred).first()) or forums.order_by(
        "position", "pk"
    ).first()


def discussion_fits(forum: Forum, page: CaseStudyPage) -> bool:
    """Return whether *forum* has exactly *page*'s audience (and working group)."""
    return forum.audience == page.audience and (
        page.audience != Audience.GROUP or forum.group_id == page.group_id
    )


def is_shown(page: CaseStudyPage) -> bool:
    """Return whether *page* is live without a Wagtail view restriction, as ``visible_to`` asks."""
    return CaseStudyPage.objects.live().public().filter(pk=page.pk).exists()


def case_study_discussion_sync(*, page: CaseStudyPage, shown: bool | None = None) -> None:
    """Give *page*'s discussion exactly the case study's readers, from now on.

    While the case study is shown, its discussion is in a forum with the same audience (and
    working group): where it is if that forum fits, else the one ``discussion_forum_for``
    chooses. A case study that is not published (or is view-restricted), or whose audience has
    no forum, withdraws its discussion from members until it is published again. Call it on
    every change to who may see the case study or the discussion's forum; *shown* overrides
    what the page says (a page being deleted is unpublished without being saved).
    """
    with transaction.atomic():
        threads = list(
            Thread.objects.select_for_update(of=("self",))
            .filter(case_study=page)
            .select_related("forum")
        )
        if not threads:
            return
        shown = is_shown(page) if shown is None else shown
        target = discussion_forum_for(page) if shown else None
        for thread in threads:
            forum = thread.forum if shown and discussion_fits(thread.forum, page) else target
            if forum is None:
                thread_withdrawal_set(thread=thread, withdrawn=True)
                continue
            thread_move(thread=thread, forum=forum)
            thread_withdrawal_set(thread=thread, withdrawn=False)


def case_study_discussions_sync(*, pages) -> None:
    """Run ``case_study_discussion_sync`` for each case study of *pages* that has a discussion."""
    discussed = Thread.objects.filter(case_study__isnull=False).values("case_study_id")
    for page in pages.filter(pk__in=discussed):
        case_study_discussion_sync(page=page)


def _discussion_opening(page: CaseStudyPage) -> str:
    url = page.get_url()
    return _(
        "This thread discusses the case study **[%(title)s](%(url)s)**.\n\n> %(summary)s\n\n"
        "What would you have done differently? Share your experience below."
    ) % {"title": page.title, "url": url, "summary": page.summary.replace("\n", " ")}


def case_study_discussion_ensure(*, page: CaseStudyPage, author) -> Thread | None:
    """Start the discussion thread of *page* unless it has one; return the discussion.

    Safe to call on every publication: the page row is locked while we look, so two
    publications at once still make one thread.
    """
    with transaction.atomic():
        CaseStudyPage.objects.select_for_update().filter(pk=page.pk).first()
        existing = Thread.objects.filter(case_study=page).order_by("pk").first()
        if existing:
            return existing
        forum = discussion_forum_for(page) if is_shown(page) else None
        if forum is None or author is None:
            logger.warning("case study %s: no forum or author for its discussion", page.pk)
            return None
        thread = thread_create(
            author=author,
            forum=forum,
            title=Truncator(page.title).chars(200),
            body=_discussion_opening(page),
            tags=[tag.name for tag in page.tags.all()],
        )
        Thread.objects.filter(pk=thread.pk).update(case_study=page)
        thread.case_study = page
        return thread


def case_study_draft_from_thread(*, thread: Thread, moderator, classification: str):
    """Create a draft case study from *thread* for editors, linked to the thread; return it."""
    index = CaseStudyIndexPage.objects.first()
    opening = thread.posts.order_by("number").first()
    summary = Truncator(opening.body_markdown if opening else thread.title).chars(600)
    base_slug = slugify(thread.title)[:70] or "case-study"
    slug, n = base_slug, 1
    while index.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base_slug}-{n}"
    with transaction.atomic():
        draft = CaseStudyPage(
            title=thread.title,
            slug=slug,
            classification=classification,
            summary=summary,
            audience=thread.forum.audience,
            group=thread.forum.group,
            live=False,
            owner=moderator,
        )
        index.add_child(instance=draft)
        draft.save_revision(user=moderator, log_action=True)
        Thread.objects.filter(pk=thread.pk, case_study__isnull=True).update(case_study=draft)
    return draft


@transaction.atomic
def person_request_create(*, case_study, kind: str, name: str, email: str, details: str):
    """Record a request about *case_study*, due after ``PERSON_REQUEST_DUE_DAYS``; tell editors."""
    now = timezone.now()
    request = PersonRequest.objects.create(
        case_study=case_study,
        kind=kind,
        name=name,
        email=email,
        details=details,
        created_at=now,
        due_at=now + datetime.timedelta(days=settings.PERSON_REQUEST_DUE_DAYS),
    )
    editors = Group.objects.filter(name="Editors").first()
    for editor_id in (
        editors.user_set.filter(is_active=True).values_list("pk", flat=True) if editors else []
    ):
        emails.queue("person_request_received", request_id=request.pk, editor_id=editor_id)
    return request


@emails.builder("person_request_received")
def person_request_email(*, request_id: int, editor_id: int):
    """Tell one editor that a request arrived, and when it is due."""
    from community.models import User

    request = PersonRequest.objects.select_related("case_study").filter(pk=request_id).first()
    editor = User.objects.filter(pk=editor_id, is_active=True).first()
    if request is None or editor is None:
        return None
    url = emails.absolute_url(
        reverse("wagtailsnippets_community_personrequest:edit", args=[request.pk])
    )
    return emails.build(
        template="person_request_received",
        to=editor.email,
        subject=_("A person in a case study asks: %(kind)s")
        % {"kind": request.get_kind_display().lower()},
        context={"request": request, "member": editor, "admin_url": url},
    )
