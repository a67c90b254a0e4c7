"""The personal email digest: periods, preferences, what one member gets, and exactly-once delivery.

A run (``run_start``, started by Celery beat) covers one period, the week or day that ended at the
scheduled hour, and fans the subscribers out in chunks; each member's task calls ``deliver``,
which claims the member's ledger row (``DigestDelivery``), builds the digest from what the member
may see *now* (``build``) and sends it. Content of a period is what appeared between its start and
its end, each shifted back by the edit grace period, so consecutive periods neither overlap nor
leave a gap, and nothing younger than the grace period is ever reported.
"""

import datetime
import logging
import smtplib
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core import signing
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
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
from taggit.models import Tag

from knowledgebase.models import CaseStudyPage, CaseStudyTag, Classification, Theme

from . import emails
from .models import (
    DigestDelivery,
    DigestFrequency,
    DigestRun,
    DigestSubscription,
    DigestTopic,
    Follow,
    FollowLevel,
    Forum,
    Post,
    TaggedThread,
    Thread,
    User,
)
from .permissions import can_see

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "community.digest.unsubscribe"
KINDS = (DigestFrequency.WEEKLY, DigestFrequency.DAILY)
Status = DigestDelivery.Status
FINAL_STATUSES = {Status.SENT, Status.SKIPPED, Status.FAILED}


class DigestTemporaryFailure(Exception):
    """The SMTP server could not take the digest now (4xx, connection refused): try later."""


class DigestInProgress(Exception):
    """Another worker claimed this delivery a moment ago; ask again in ``retry_in`` seconds."""

    def __init__(self, retry_in: int):
        super().__init__(retry_in)
        self.retry_in = retry_in


# Periods ----------------------------------------------------------------------------------------


def period_for(kind: str, now: datetime.datetime | None = None):
    """Return (start, end) of the last complete *kind* period at *now*, in the beat's time zone.

    A weekly period ends on DIGEST_WEEKLY_DAY at DIGEST_WEEKLY_HOUR, a daily one every day at
    DIGEST_DAILY_HOUR; any run between two ends (a rerun, a late beat) names the same period.
    """
    local = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(settings.CELERY_TIMEZONE))
    if kind == DigestFrequency.WEEKLY:
        step = datetime.timedelta(days=7)
        weekday = settings.DIGEST_WEEKDAYS.index(settings.DIGEST_WEEKLY_DAY)
        end = local.replace(hour=settings.DIGEST_WEEKLY_HOUR, minute=0, second=0, microsecond=0)
        end -= datetime.timedelta(days=(local.weekday() - weekday) % 7)
    elif kind == DigestFrequency.DAILY:
        step = datetime.timedelta(days=1)
        end = local.replace(hour=settings.DIGEST_DAILY_HOUR, minute=0, second=0, microsecond=0)
    else:
        raise ValueError(f"not a digest kind: {kind!r}")
    if end > local:
        end -= step
    # Wall-clock arithmetic: a week is seven days at the same local hour, across DST changes.
    return end - step, end


def content_window(period_start, period_end):
    """Return the (from, until) times whose content belongs to a period: shifted by the grace."""
    grace = datetime.timedelta(minutes=settings.DIGEST_EDIT_GRACE_MINUTES)
    return period_start - grace, period_end - grace


# Unsubscribe tokens and preferences ------------------------------------------------------------
# A followed item is named "forum:<id>", "tag:<id>", "theme:<id>" or "classification:<code>".


def unsubscribe_token(*, user_id: int, item: str = "") -> str:
    """Return the signed token of an unsubscribe link for *user_id* (and one followed *item*)."""
    data = {"u": user_id, "i": item} if item else {"u": user_id}
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, item: str = "") -> str:
    token = unsubscribe_token(user_id=user_id, item=item)
    return emails.absolute_url(reverse("community:digest_unsubscribe", args=[token]))


@dataclass
class UnsubscribeRequest:
    user: User
    item: str
    item_label: str


class BadUnsubscribeToken(Exception):
    """The token was tampered with, signed for something else, or names nobody."""


def unsubscribe_request(token: str) -> UnsubscribeRequest | None:
    """Return who and what *token* unsubscribes, None if the member is gone.

    Raise BadUnsubscribeToken for a token that was tampered with or signed for something else.
    """
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        logger.warning("digest: refused an unsubscribe token with a bad signature")
        raise BadUnsubscribeToken from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise BadUnsubscribeToken
    user = User.objects.filter(pk=data["u"]).first()
    if user is None:
        return None
    item = data.get("i", "")
    return UnsubscribeRequest(user=user, item=item, item_label=_item_label(item) if item else "")


def _item_label(item: str) -> str:
    kind, _sep, key = item.partition(":")
    if kind == "classification":
        return dict(Classification.choices).get(key, key)
    model = {"forum": Forum, "tag": Tag, "theme": Theme}.get(kind)
    found = model.objects.filter(pk=key).first() if model and key.isdigit() else None
    return str(found) if found else ""


def subscription_get(*, user: User) -> DigestSubscription | None:
    return DigestSubscription.objects.filter(user=user).first()


def subscription_set(*, user: User, frequency: str) -> DigestSubscription:
    """Set how often *user* gets the digest."""
    subscription, _created = DigestSubscription.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "updated_at": timezone.now()}
    )
    return subscription


def subscription_create_at_signup(*, user: User, consent: bool) -> DigestSubscription:
    """Record the sign-up choice: the weekly digest with consent, none without."""
    return subscription_set(
        user=user, frequency=DigestFrequency.WEEKLY if consent else DigestFrequency.OFF
    )


@transaction.atomic
def digest_unsubscribe(*, user: User, item: str = "") -> str:
    """Stop the digest for *user*, or only mute one followed *item*; return what was done."""
    kind, _sep, key = item.partition(":")
    if kind in {"forum", "tag"} and key.isdigit():
        Follow.objects.update_or_create(
            user=user,
            **{f"{kind}_id": int(key)},
            defaults={"level": FollowLevel.MUTED, "updated_at": timezone.now()},
        )
        return "muted"
    if kind == "theme" and key.isdigit():
        _topic_set(user=user, level=FollowLevel.MUTED, theme_id=int(key))
        return "muted"
    if kind == "classification" and key in Classification.values:
        _topic_set(user=user, level=FollowLevel.MUTED, classification=key)
        return "muted"
    subscription_set(user=user, frequency=DigestFrequency.OFF)
    return "stopped"


def _topic_set(*, user, level, theme_id=None, classification=""):
    DigestTopic.objects.update_or_create(
        user=user,
        theme_id=theme_id,
        classification=classification,
        defaults={"level": level, "updated_at": timezone.now()},
    )


@dataclass
class Preferences:
    """What the digest settings page shows and saves: a frequency, followed and muted items."""

    frequency: str = DigestFrequency.OFF
    follow_forums: list = field(default_factory=list)
    mute_forums: list = field(default_factory=list)
    follow_tags: list = field(default_factory=list)
    mute_tags: list = field(default_factory=list)
    follow_themes: list = field(default_factory=list)
    mute_themes: list = field(default_factory=list)
    follow_classifications: list = field(default_factory=list)
    mute_classifications: list = field(default_factory=list)


def preferences_get(*, user: User) -> Preferences:
    """Return *user*'s digest preferences, forums limited to those they may see."""
    subscription = subscription_get(user=user)
    prefs = Preferences(frequency=subscription.frequency if subscription else DigestFrequency.OFF)
    visible_forums = set(Forum.objects.visible_to(user).values_list("pk", flat=True))
    follows = Follow.objects.filter(user=user, thread__isnull=True).select_related("tag")
    for follow in follows:
        if follow.level == FollowLevel.NORMAL:
            continue
        prefix = "follow" if follow.level == FollowLevel.WATCHING else "mute"
        if follow.forum_id and follow.forum_id in visible_forums:
            getattr(prefs, f"{prefix}_forums").append(follow.forum_id)
        elif follow.tag_id:
            getattr(prefs, f"{prefix}_tags").append(follow.tag.name)
    for topic in DigestTopic.objects.filter(user=user):
        prefix = "follow" if topic.level == FollowLevel.WATCHING else "mute"
        if topic.theme_id:
            getattr(prefs, f"{prefix}_themes").append(topic.theme_id)
        else:
            getattr(prefs, f"{prefix}_classifications").append(topic.classification)
    return prefs


@transaction.atomic
def preferences_save(*, user: User, prefs: Preferences) -> None:
    """Save *user*'s digest frequency and the forums, tags, themes and classifications they
    follow or mute. Forum and tag follows are the forums' own ``Follow`` rows (the follow
    buttons on forum pages change the same thing); forums *user* cannot see are left alone.
    """
    subscription_set(user=user, frequency=prefs.frequency)
    now = timezone.now()
    visible_forums = set(Forum.objects.visible_to(user).values_list("pk", flat=True))
    tag_ids = dict(
        Tag.objects.filter(name__in=prefs.follow_tags + prefs.mute_tags).values_list("name", "pk")
    )
    wanted = {
        ("forum_id", pk): level
        for level, pks in (
            (FollowLevel.WATCHING, prefs.follow_forums),
            (FollowLevel.MUTED, prefs.mute_forums),
        )
        for pk in pks
        if pk in visible_forums
    }
    wanted |= {
        ("tag_id", tag_ids[name]): level
        for level, names in (
            (FollowLevel.WATCHING, prefs.follow_tags),
            (FollowLevel.MUTED, prefs.mute_tags),
        )
        for name in names
        if name in tag_ids
    }
    existing = Follow.objects.filter(user=user, thread__isnull=True)
    for follow in existing:
        key = ("forum_id", follow.forum_id) if follow.forum_id else ("tag_id", follow.tag_id)
        if follow.forum_id and follow.forum_id not in visible_forums:
            continue
        level = wanted.pop(key, None)
        if level is None:
            follow.delete()
        elif level != follow.level:
            follow.level, follow.updated_at = level, now
            follow.save(update_fields=["level", "updated_at"])
    Follow.objects.bulk_create(
        [
            Follow(user=user, level=level, updated_at=now, **{name: pk})
            for (name, pk), level in wanted.items()
        ]
    )
    DigestTopic.objects.filter(user=user).delete()
    topics = [
        DigestTopic(user=user, level=level, updated_at=now, theme_id=pk)
        for level, pks in (
            (FollowLevel.WATCHING, prefs.follow_themes),
            (FollowLevel.MUTED, prefs.mute_themes),
        )
        for pk in pks
    ] + [
        DigestTopic(user=user, level=level, updated_at=now, classification=code)
        for level, codes in (
            (FollowLevel.WATCHING, prefs.follow_classifications),
            (FollowLevel.MUTED, prefs.mute_classifications),
        )
        for code in codes
    ]
    DigestTopic.objects.bulk_create(topics)


# Building one member's digest -------------------------------------------------------------------


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
        return emails.absolute_url(reverse("community:settings_digest"))


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


def _interests(user: User) -> Interests:
    found = Interests()
    for follow in Follow.objects.filter(user=user).select_related("forum", "tag"):
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
            if not muted:
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
    """Return a filter for posts shown in the window, written by someone else than *user*."""
    return Q(
        **{
            f"{prefix}created_at__gte": since,
            f"{prefix}created_at__lt": until,
            f"{prefix}is_deleted": False,
        }
    ) & (~Q(**{f"{prefix}author_id": user.pk}) | Q(**{f"{prefix}author_id__isnull": True}))


def build(*, user: User, kind: str, period_start, period_end) -> Digest:
    """Return *user*'s digest for a period: only what they may see now, nothing of their own.

    Costs a fixed number of queries, however many items the member follows or mutes: follows
    and mutes become id lists inside each section's one query.
    """
    since, until = content_window(period_start, period_end)
    size = settings.DIGEST_SECTION_SIZE
    interests = _interests(user)
    digest = Digest(user=user, kind=kind, period_start=period_start, period_end=period_end)
    digest.followed = [
        DigestItem(title=label, url=unsubscribe_url(user_id=user.pk, item=key))
        for key, label in interests.followed[:size]
    ]

    # Case studies first published in the window, followed themes/classifications/tags first.
    themes_through = CaseStudyPage.themes.through
    case_studies = (
        CaseStudyPage.objects.visible_to(user)
        .filter(first_published_at__gte=since, first_published_at__lt=until)
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
    for page in (
        case_studies.annotate(is_followed=_flag(followed_case_study))
        .order_by("-is_followed", "-first_published_at", "-pk")
        .only("title", "url_path", "classification", "summary", "first_published_at")[:size]
    ):
        digest.case_studies.append(
            DigestItem(
                title=page.title,
                url=_page_url(page),
                detail=str(labels.get(page.classification, "")),
                is_followed=page.is_followed,
            )
        )

    # Threads the member may see and did not mute (the forum, one of its tags or the thread).
    threads = (
        Thread.objects.visible_to(user)
        .exclude(forum_id__in=interests.muted_forums)
        .exclude(pk__in=interests.muted_threads)
        .exclude(_has_thread_tag(interests.muted_tags))
    )
    followed_thread = Q(forum_id__in=interests.forums) | Q(_has_thread_tag(interests.tags))
    new_threads = (
        threads.filter(created_at__gte=since, created_at__lt=until)
        .exclude(author_id=user.pk)
        .filter(Exists(Post.objects.filter(thread=OuterRef("pk"), number=1, is_deleted=False)))
    )
    for thread in (
        new_threads.annotate(is_followed=_flag(followed_thread))
        .select_related("forum")
        .order_by("-is_followed", "-created_at", "-pk")[:size]
    ):
        digest.new_threads.append(
            DigestItem(
                title=thread.title,
                url=emails.absolute_url(thread.get_absolute_url()),
                detail=thread.forum.name,
                is_followed=thread.is_followed,
            )
        )

    # Older threads with the most replies in the window (watched ones have their own section).
    new_posts = _new_posts(user, since, until, prefix="posts__")
    active = (
        threads.filter(created_at__lt=since)
        .exclude(pk__in=interests.threads_watched)
        .annotate(new_posts=Count("posts", filter=new_posts), is_followed=_flag(followed_thread))
        .filter(new_posts__gt=0)
        .select_related("forum")
        .order_by("-is_followed", "-new_posts", "-last_activity_at", "-pk")
    )
    for thread in active[:size]:
        digest.active_threads.append(
            DigestItem(
                title=thread.title,
                url=emails.absolute_url(thread.get_absolute_url()),
                detail=ngettext("%(count)d new reply", "%(count)d new replies", thread.new_posts)
                % {"count": thread.new_posts}
                + f" · {thread.forum.name}",
                is_followed=thread.is_followed,
            )
        )

    # Replies in the threads the member watches, leading to the first one they have not seen.
    watched = (
        Thread.objects.visible_to(user)
        .filter(pk__in=interests.threads_watched)
        .annotate(
            new_posts=Count("posts", filter=new_posts), first_new=Min("posts__pk", filter=new_posts)
        )
        .filter(new_posts__gt=0)
        .order_by("-last_activity_at", "-pk")
    )
    for thread in watched[:size]:
        digest.watched_replies.append(
            DigestItem(
                title=thread.title,
                url=emails.absolute_url(
                    reverse("community:post_permalink", args=[thread.first_new])
                ),
                detail=ngettext("%(count)d new reply", "%(count)d new replies", thread.new_posts)
                % {"count": thread.new_posts},
                is_followed=True,
            )
        )

    # At most three counts: the lists above show five at most of each.
    replies = Post.objects.filter(
        _new_posts(user, since, until), number__gt=1, thread__in=threads.values("pk")
    )
    counts = [
        (case_studies.count(), "%(count)d new case study", "%(count)d new case studies"),
        (new_threads.count(), "%(count)d new thread", "%(count)d new threads"),
        (replies.count(), "%(count)d new reply", "%(count)d new replies"),
    ]
    digest.counts = [
        (number, ngettext(singular, plural, number) % {"count": number})
        for number, singular, plural in counts
        if number
    ]
    return digest


def _page_url(page) -> str:
    url = page.get_url() or ""
    return url if url.startswith("http") else emails.absolute_url(url)


# Delivering ------------------------------------------------------------------------------------


def is_absent(user: User, now=None) -> bool:
    """Return whether *user* has not signed in for DIGEST_ABSENCE_DAYS (never: since joining)."""
    now = now or timezone.now()
    last_seen = user.last_login or user.date_joined
    return last_seen < now - datetime.timedelta(days=settings.DIGEST_ABSENCE_DAYS)


def subscriber_ids(kind: str, now=None):
    """Return the ids of active members who want the *kind* digest, absent ones told once."""
    now = now or timezone.now()
    absent_since = now - datetime.timedelta(days=settings.DIGEST_ABSENCE_DAYS)
    told_and_still_absent = Q(digest_subscription__absence_notified_at__isnull=False) & (
        Q(last_login__lt=absent_since) | Q(last_login__isnull=True, date_joined__lt=absent_since)
    )
    return (
        User.objects.filter(is_active=True, digest_subscription__frequency=kind)
        .exclude(told_and_still_absent)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def run_start(*, kind: str, now=None, enqueue) -> DigestRun:
    """Record a run for the last complete *kind* period and hand its members to *enqueue* in
    chunks (``enqueue(user_ids, kind, period_start_iso, run_id)``).

    Starting the same period twice (a rerun, two beats) is safe: the ledger sends nothing twice.
    """
    now = now or timezone.now()
    period_start, period_end = period_for(kind, now)
    run = DigestRun.objects.create(kind=kind, period_start=period_start, period_end=period_end)
    # Chunks by primary key, each a query of its own: no cursor stays open while the chunks are
    # queued (in-process, with CELERY_TASK_ALWAYS_EAGER, a chunk runs before the next is read).
    members, last, total = subscriber_ids(kind, now), 0, 0
    while chunk := list(members.filter(pk__gt=last)[: settings.DIGEST_CHUNK_SIZE]):
        enqueue(chunk, kind, period_start.isoformat(), run.pk)
        total, last = total + len(chunk), chunk[-1]
    DigestRun.objects.filter(pk=run.pk).update(member_count=total)
    run.member_count = total
    logger.info("digest: %s run %s for %s: %d members", kind, run.pk, period_start, total)
    return run


def _count(run_id, outcome: str) -> None:
    column = {"sent": "sent", "failed": "failed"}.get(outcome, "skipped")
    if run_id:
        DigestRun.objects.filter(pk=run_id).update(**{column: F(column) + 1})


def _claim(*, user, kind, period_start, run_id, now) -> DigestDelivery | None:
    """Claim the member's ledger row for the period; None when it is settled already.

    The row is inserted, status "sending", before anything is sent; the unique constraint on
    (member, kind, period) makes the insert the lock, so two beats or a rerun cannot both send.
    If the row exists:

    - sent, skipped or failed: settled, nothing to do;
    - retrying (a temporary SMTP failure is waiting for its retry): claimed again now, and the
      scheduled retry will find the row settled;
    - sending, claimed less than DIGEST_CLAIM_STALE_SECONDS ago: another worker is on it,
      DigestInProgress asks the task to look again once that time has passed;
    - sending for longer: the worker that claimed it died (SIGKILL, lost machine) between the
      claim and marking the row sent, and its task came back (acks_late). It is claimed again
      and sent. The trade-off: if that worker died after the SMTP server accepted the message
      but before the row was marked sent (a window of one UPDATE), the member gets it twice.
      SMTP has no way to make delivery exactly-once; at most once per claim, every attempt
      counted in ``attempts``, and the same Message-ID on every attempt (receivers that
      deduplicate by Message-ID drop the copy) is the honest best. Skipping instead would
      lose the digest of every member whose worker died mid-run, a far more likely event.

    Each re-claim is a compare-and-set on (status, attempts), so only one worker wins it.
    """
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                user=user, kind=kind, period_start=period_start, run_id=run_id, claimed_at=now
            )
    except IntegrityError:
        pass
    row = DigestDelivery.objects.get(user=user, kind=kind, period_start=period_start)
    if row.status in FINAL_STATUSES:
        return None
    stale = datetime.timedelta(seconds=settings.DIGEST_CLAIM_STALE_SECONDS)
    if row.status == Status.SENDING and row.claimed_at > now - stale:
        wait = (row.claimed_at + stale - now).total_seconds()
        raise DigestInProgress(retry_in=max(1, int(wait) + 1))
    claimed = DigestDelivery.objects.filter(
        pk=row.pk, status=row.status, attempts=row.attempts
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        raise DigestInProgress(retry_in=settings.DIGEST_CLAIM_STALE_SECONDS)
    if row.status == Status.SENDING:
        logger.warning("digest: re-claimed delivery %s left in 'sending' by a lost worker", row.pk)
    row.refresh_from_db()
    return row


def _settle(row: DigestDelivery, status: str, *, reason: str = "", error: str = "") -> None:
    fields = {"status": status, "reason": reason, "error": error[:2000]}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
    DigestDelivery.objects.filter(pk=row.pk).update(**fields)


def is_temporary(error: Exception) -> bool:
    """Return whether an SMTP error may go away by itself (4xx, connection problems)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return True  # the portal's credentials: staff fix them, the digest waits
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # connection refused, reset, timed out


def retry_countdown(retries: int) -> int:
    """Return the seconds to wait before retry number *retries* + 1: 1, 2, 4, 8... minutes."""
    return settings.DIGEST_RETRY_BASE_SECONDS * 2**retries


def _ineligible(user: User, subscription, kind: str, now) -> str:
    """Return why *user* gets no digest now ("" if they do)."""
    if not user.is_active:
        return "inactive"
    if subscription is None or subscription.frequency != kind:
        return "unsubscribed"
    if not user.email:
        return "no_email"
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return "unverified_email"
    return ""


def _absence_handle(user: User, subscription, now) -> bool:
    """Tell an absent member once that digests stop; clear the mark of one who came back."""
    if not is_absent(user, now):
        if subscription.absence_notified_at:
            DigestSubscription.objects.filter(pk=subscription.pk).update(absence_notified_at=None)
        return False
    told = DigestSubscription.objects.filter(
        pk=subscription.pk, absence_notified_at__isnull=True
    ).update(absence_notified_at=now)
    if told:
        try:
            mailers.default.send_messages([emails.digest_absence_message(user=user)])
        except Exception:
            logger.exception("digest: could not tell absent member %s that digests stop", user.pk)
    return True


def deliver(
    *,
    user_id: int,
    kind: str,
    period_start: datetime.datetime,
    run_id: int | None = None,
    final_attempt: bool = False,
    mailer=None,
) -> str:
    """Send *user_id*'s digest for the period at most once; return the outcome.

    Outcomes: "sent"; "failed" (refused for good, recorded); "already" (settled before);
    "missing" (member deleted since the fan-out) and the skip reasons "inactive",
    "unsubscribed", "no_email", "absent", "empty". Raises DigestTemporaryFailure (retry later)
    and DigestInProgress (another worker holds the claim).
    """
    now = timezone.now()
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        logger.warning("digest: member %s no longer exists, nothing sent", user_id)
        _count(run_id, "skipped")
        return "missing"
    row = _claim(user=user, kind=kind, period_start=period_start, run_id=run_id, now=now)
    if row is None:
        _count(run_id, "skipped")
        return "already"
    subscription = DigestSubscription.objects.filter(user=user).first()
    reason = _ineligible(user, subscription, kind, now)
    if not reason and _absence_handle(user, subscription, now):
        reason = "absent"
    if reason == "no_email":
        logger.warning("digest: member %s has no email address", user.pk)
    digest = None
    if not reason:
        period_end = _period_end(kind, period_start)
        digest = build(user=user, kind=kind, period_start=period_start, period_end=period_end)
        if digest.is_empty:
            reason = "empty"
    if reason:
        _settle(row, Status.SKIPPED, reason=reason)
        _count(run_id, "skipped")
        return reason
    try:
        message = emails.digest_message(digest=digest, message_id=_message_id(row))
        (mailer or mailers.default).send_messages([message])
    except Exception as error:
        if is_temporary(error) and not final_attempt:
            logger.warning("digest: temporary failure for member %s: %s", user.pk, error)
            _settle(row, Status.RETRYING, error=repr(error))
            raise DigestTemporaryFailure(repr(error)) from error
        logger.error("digest: delivery to member %s failed for good: %r", user.pk, error)
        _settle(row, Status.FAILED, reason="refused", error=repr(error))
        _count(run_id, "failed")
        return "failed"
    _settle(row, Status.SENT)
    _count(run_id, "sent")
    return "sent"


def _period_end(kind: str, period_start: datetime.datetime) -> datetime.datetime:
    local = period_start.astimezone(zoneinfo.ZoneInfo(settings.CELERY_TIMEZONE))
    return local + datetime.timedelta(days=7 if kind == DigestFrequency.WEEKLY else 1)


def _message_id(row: DigestDelivery) -> str:
    """Return the same Message-ID for every attempt at one delivery."""
    from urllib.parse import urlsplit

    host = urlsplit(settings.SITE_URL).hostname or "medi4sec.local"
    return f"<digest-{row.kind}-{row.period_start:%Y%m%d%H%M}-{row.user_id}@{host}>"


def preview(*, user: User, kind: str = DigestFrequency.WEEKLY, now=None) -> Digest:
    """Return the digest *user* would get for the last complete period (nothing is recorded)."""
    period_start, period_end = period_for(kind, now)
    return build(user=user, kind=kind, period_start=period_start, period_end=period_end)
