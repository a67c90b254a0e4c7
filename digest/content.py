"""Build one member's digest from what the member may see now."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community import emails
from community.models import (
    DigestFrequency,
    DigestTopic,
    Follow,
    FollowLevel,
    Post,
    TaggedThread,
    Thread,
    User,
)
from community.permissions import can_see
from community.querysets import tags_carried_by
from knowledgebase.models import CaseStudyPage, CaseStudyTag, Classification

from .periods import content_window
from .preferences import unsubscribe_url

# Sections the apps built on the digest add (events: upcoming events), registered in their
# ``AppConfig.ready()`` so the digest imports none of them. ``items(user=, kind=, size=, now=)``
# returns at most *size* DigestItems, only what *user* may see; a section never makes an
# otherwise empty digest worth sending.
SECTIONS: dict = {}


def digest_section_register(name: str, *, title, items) -> None:
    """Show *items(...)* under the heading *title* in every digest that has some."""
    SECTIONS[name] = (title, items)


@dataclass
class DigestItem:
    title: str
    url: str
    detail: str = ""
    is_followed: bool = False


@dataclass
class Digest:
    user: User
    kind: str
    period_start: datetime.datetime
    period_end: datetime.datetime
    case_studies: list[DigestItem] = field(default_factory=list)
    new_threads: list[DigestItem] = field(default_factory=list)
    active_threads: list[DigestItem] = field(default_factory=list)
    watched_replies: list[DigestItem] = field(default_factory=list)
    counts: list[tuple[int, str]] = field(default_factory=list)
    followed: list[DigestItem] = field(default_factory=list)
    sections: list[tuple[str, list[DigestItem]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.case_studies or self.new_threads or self.active_threads or self.watched_replies
        )

    @property
    def period_label(self) -> str:
        from django.utils.formats import date_format

        last_day = self.period_end - datetime.timedelta(seconds=1)
        start, end = (
            date_format(timezone.localtime(moment).date(), "j M Y")
            for moment in (self.period_start, last_day)
        )
        return start if start == end else f"{start} \N{EN DASH} {end}"

    @property
    def subject(self) -> str:
        if self.kind == DigestFrequency.DAILY:
            return _("Your daily digest: %(period)s") % {"period": self.period_label}
        return _("Your weekly digest: %(period)s") % {"period": self.period_label}

    @property
    def preheader(self) -> str:
        return " · ".join(label for _number, label in self.counts) or self.subject

    @cached_property
    def unsubscribe_url(self) -> str:
        return unsubscribe_url(user_id=self.user.pk)

    @cached_property
    def settings_url(self) -> str:
        return emails.absolute_url(reverse("digest:settings"))


@dataclass
class Interests:
    """One member's follows and mutes, as id lists for IN filters (two queries, any number)."""

    forums: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    threads_watched: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    classifications: list = field(default_factory=list)
    muted_forums: list = field(default_factory=list)
    muted_tags: list = field(default_factory=list)
    muted_threads: list = field(default_factory=list)
    muted_themes: list = field(default_factory=list)
    muted_classifications: list = field(default_factory=list)
    followed: list = field(default_factory=list)  # (item key, label, forum or None)


def _interests(user: User, case_studies) -> Interests:
    """Return *user*'s follows and mutes; *case_studies* are those the member may see."""
    found = Interests()
    # A followed tag is named only while something the member may see carries it.
    seen_tags = tags_carried_by(
        threads=Thread.objects.published_to(user), case_studies=case_studies
    )
    follows = (
        Follow.objects.filter(user=user)
        .select_related("forum", "tag")
        .annotate(is_tag_seen=Exists(seen_tags.filter(pk=OuterRef("tag_id"))))
    )
    for follow in follows:
        muted = follow.level == FollowLevel.MUTED
        if follow.thread_id:
            if muted:
                found.muted_threads.append(follow.thread_id)
            elif follow.level == FollowLevel.WATCHING:
                found.threads_watched.append(follow.thread_id)
        elif follow.level == FollowLevel.NORMAL:
            continue
        elif follow.forum_id:
            (found.muted_forums if muted else found.forums).append(follow.forum_id)
            if not muted and can_see(user, follow.forum):
                found.followed.append((f"forum:{follow.forum_id}", follow.forum.name))
        else:
            (found.muted_tags if muted else found.tags).append(follow.tag_id)
            if not muted and follow.is_tag_seen:
                found.followed.append((f"tag:{follow.tag_id}", follow.tag.name))
    labels = dict(Classification.choices)
    for topic in DigestTopic.objects.filter(user=user).select_related("theme"):
        muted = topic.level == FollowLevel.MUTED
        if topic.theme_id:
            (found.muted_themes if muted else found.themes).append(topic.theme_id)
            if not muted:
                found.followed.append((f"theme:{topic.theme_id}", topic.theme.name))
        else:
            code = topic.classification
            (found.muted_classifications if muted else found.classifications).append(code)
            if not muted:
                found.followed.append((f"classification:{code}", labels.get(code, code)))
    return found


def _flag(condition) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _has_thread_tag(tag_ids) -> Exists:
    return Exists(TaggedThread.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids))


def _new_posts(user, since, until, prefix="") -> Q:
    """Return a filter for posts shown in the window, written by someone else than *user*.

    Hidden posts (moderation) are never in a digest, not even a moderator's.
    """
    return Q(
        **{
            f"{prefix}created_at__gte": since,
            f"{prefix}created_at__lt": until,
            f"{prefix}is_deleted": False,
            f"{prefix}is_hidden": False,
        }
    ) & (~Q(**{f"{prefix}author_id": user.pk}) | Q(**{f"{prefix}author_id__isnull": True}))


def build(*, user: User, kind: str, period_start, period_end) -> Digest:
    """Return *user*'s digest for a period: only what they may see now, nothing of their own.

    Costs a fixed number of queries, however many items the member follows or mutes: follows
    and mutes become id lists inside each section's one query.
    """
    since, until = content_window(period_start, period_end)
    size = settings.DIGEST_SECTION_SIZE
    visible_case_studies = CaseStudyPage.objects.visible_to(user)
    interests = _interests(user, visible_case_studies)
    digest = Digest(user=user, kind=kind, period_start=period_start, period_end=period_end)
    digest.followed = [
        DigestItem(title=label, url=unsubscribe_url(user_id=user.pk, item=key))
        for key, label in interests.followed[:size]
    ]
    case_studies = _case_studies(user, visible_case_studies, interests, since, until)
    digest.case_studies = _case_study_items(case_studies, interests, size)
    # Threads the member may see and did not mute (the forum, one of its tags or the thread).
    threads = (
        Thread.objects.published_to(user)
        .exclude(forum_id__in=interests.muted_forums)
        .exclude(pk__in=interests.muted_threads)
        .exclude(_has_thread_tag(interests.muted_tags))
    )
    followed_thread = Q(forum_id__in=interests.forums) | Q(_has_thread_tag(interests.tags))
    new_threads = _new_threads(user, threads, since, until)
    digest.new_threads = _new_thread_items(new_threads, followed_thread, size)
    new_posts = _new_posts(user, since, until, prefix="posts__")
    digest.active_threads = _active_thread_items(
        threads.filter(created_at__lt=since), interests, followed_thread, new_posts, size
    )
    digest.watched_replies = _watched_reply_items(user, interests, new_posts, size)
    replies = Post.objects.filter(
        _new_posts(user, since, until), number__gt=1, thread__in=threads.values("pk")
    )
    digest.counts = _counts(case_studies, new_threads, replies)
    digest.sections = [
        (title, found)
        for title, items in SECTIONS.values()
        if (found := items(user=user, kind=kind, size=size, now=period_end))
    ]
    return digest


def _case_studies(user, visible_case_studies, interests: Interests, since, until):
    """Return the case studies first published in the window, less what the member muted."""
    themes_through = CaseStudyPage.themes.through
    return (
        visible_case_studies.filter(first_published_at__gte=since, first_published_at__lt=until)
        .exclude(owner_id=user.pk)
        .exclude(classification__in=interests.muted_classifications)
        .exclude(
            Exists(
                themes_through.objects.filter(
                    casestudypage_id=OuterRef("pk"), theme_id__in=interests.muted_themes
                )
            )
        )
        .exclude(
            Exists(
                CaseStudyTag.objects.filter(
                    content_object_id=OuterRef("pk"), tag_id__in=interests.muted_tags
                )
            )
        )
    )


def _case_study_items(case_studies, interests: Interests, size: int) -> list[DigestItem]:
    """Return the first *size* case studies, followed themes/classifications/tags first."""
    themes_through = CaseStudyPage.themes.through
    followed_case_study = (
        Q(classification__in=interests.classifications)
        | Q(
            Exists(
                themes_through.objects.filter(
                    casestudypage_id=OuterRef("pk"), theme_id__in=interests.themes
                )
            )
        )
        | Q(
            Exists(
                CaseStudyTag.objects.filter(
                    content_object_id=OuterRef("pk"), tag_id__in=interests.tags
                )
            )
        )
    )
    labels = dict(Classification.choices)
    return [
        DigestItem(
            title=page.title,
            url=_page_url(page),
            detail=str(labels.get(page.classification, "")),
            is_followed=page.is_followed,
        )
        for page in (
            case_studies.annotate(is_followed=_flag(followed_case_study))
            .order_by("-is_followed", "-first_published_at", "-pk")
            .only("title", "url_path", "classification", "summary", "first_published_at")[:size]
        )
    ]


def _new_threads(user, threads, since, until):
    """Return the threads started in the window by someone else, their opening post shown."""
    return (
        threads.filter(created_at__gte=since, created_at__lt=until)
        .exclude(author_id=user.pk)
        .filter(
            Exists(
                Post.objects.filter(
                    thread=OuterRef("pk"), number=1, is_deleted=False, is_hidden=False
                )
            )
        )
    )


def _new_thread_items(new_threads, followed_thread: Q, size: int) -> list[DigestItem]:
    return [
        DigestItem(
            title=thread.title,
            url=emails.absolute_url(thread.get_absolute_url()),
            detail=thread.forum.name,
            is_followed=thread.is_followed,
        )
        for thread in (
            new_threads.annotate(is_followed=_flag(followed_thread))
            .select_related("forum")
            .order_by("-is_followed", "-created_at", "-pk")[:size]
        )
    ]


def _active_thread_items(
    older_threads, interests: Interests, followed_thread: Q, new_posts: Q, size: int
) -> list[DigestItem]:
    """Return older threads with the most replies in the window (watched ones have their own)."""
    active = (
        older_threads.exclude(pk__in=interests.threads_watched)
        .annotate(new_posts=Count("posts", filter=new_posts), is_followed=_flag(followed_thread))
        .filter(new_posts__gt=0)
        .select_related("forum")
        .order_by("-is_followed", "-new_posts", "-last_activity_at", "-pk")
    )
    return [
        DigestItem(
            title=thread.title,
            url=emails.absolute_url(thread.get_absolute_url()),
            detail=ngettext("%(count)d new reply", "%(count)d new replies", thread.new_posts)
            % {"count": thread.new_posts}
            + f" · {thread.forum.name}",
            is_followed=thread.is_followed,
        )
        for thread in active[:size]
    ]


def _watched_reply_items(user, interests: Interests, new_posts: Q, size: int) -> list[DigestItem]:
    """Return replies in the threads the member watches, each leading to the first unseen one."""
    watched = (
        Thread.objects.published_to(user)
        .filter(pk__in=interests.threads_watched)
        .annotate(
            new_posts=Count("posts", filter=new_posts), first_new=Min("posts__pk", filter=new_posts)
        )
        .filter(new_posts__gt=0)
        .order_by("-last_activity_at", "-pk")
    )
    return [
        DigestItem(
            title=thread.title,
            url=emails.absolute_url(reverse("community:post_permalink", args=[thread.first_new])),
            detail=ngettext("%(count)d new reply", "%(count)d new replies", thread.new_posts)
            % {"count": thread.new_posts},
            is_followed=True,
        )
        for thread in watched[:size]
    ]


def _counts(case_studies, new_threads, replies) -> list[tuple[int, str]]:
    """Return at most three counts: the lists show five at most of each."""
    counts = [
        (case_studies.count(), "%(count)d new case study", "%(count)d new case studies"),
        (new_threads.count(), "%(count)d new thread", "%(count)d new threads"),
        (replies.count(), "%(count)d new reply", "%(count)d new replies"),
    ]
    return [
        (number, ngettext(singular, plural, number) % {"count": number})
        for number, singular, plural in counts
        if number
    ]


def _page_url(page) -> str:
    url = page.get_url() or ""
    return url if url.startswith("http") else emails.absolute_url(url)
