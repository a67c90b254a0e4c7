"""Abuse limits: what new accounts may post, and what everyone may do in a day.

A member is *new* for ``NEW_ACCOUNT_HOURS`` after sign-up, unless they are a verified
practitioner (verification ends the new-account limits early); staff and moderators are never
new. Every count comes from the database (posts, threads, reactions, flags), not from the cache,
so the limits hold while Redis is down and agree between web processes.

Views write through ``posting`` (services stay usable by the demo, imports and tests). Time
limits raise ``LimitExceeded``, which carries the moment the member may try again and becomes a
429 answer that keeps what was typed. Limits on the shape of a post (links, mentions) are form
errors instead (``post_shape_errors``): the member can fix the text right away.
"""

import datetime
import math
import re
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import markdown
from .models import Flag, Post, Reaction, Thread, User
from .permissions import is_moderator, is_verified_practitioner

DAY = datetime.timedelta(hours=24)
HREF_RE = re.compile(r"<a\s[^>]*?href=\"([^\"]*)\"")
EXTERNAL_SCHEMES = ("http:", "https:", "mailto:", "//")


class LimitExceeded(Exception):
    """An action refused for now: *message* says which limit, *retry_at* when it lifts."""

    def __init__(self, message: str, *, retry_at: datetime.datetime):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at

    @property
    def retry_after(self) -> int:
        """Return the whole seconds to wait (at least one), for the Retry-After header."""
        return max(1, math.ceil((self.retry_at - timezone.now()).total_seconds()))

    @property
    def retry_after_minutes(self) -> int:
        return math.ceil(self.retry_after / 60)

    def wait(self) -> str:
        """Return when to try again, in minutes up to an hour and a half, then in hours."""
        minutes = self.retry_after_minutes
        if minutes <= 90:
            return ngettext(
                "Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes
            ) % {"count": minutes}
        hours = math.ceil(minutes / 60)
        return ngettext("Try again in %(count)d hour.", "Try again in %(count)d hours.", hours) % {
            "count": hours
        }

    def describe(self) -> str:
        """Return the message with when to try again, for a form that keeps the typed text."""
        return f"{self.message} {self.wait()} {_('Your text is still below.')}"


def new_account_until(user) -> datetime.datetime | None:
    """Return when *user*'s new-account limits end, or None when they do not apply (any more)."""
    if not user.is_authenticated or is_moderator(user) or is_verified_practitioner(user):
        return None
    until = user.date_joined + datetime.timedelta(hours=settings.NEW_ACCOUNT_HOURS)
    return until if until > timezone.now() else None


def is_new_account(user) -> bool:
    """Return whether the new-account limits apply to *user* now."""
    return new_account_until(user) is not None


def _cap_retry_at(queryset, *, cap: int, now, window=DAY) -> datetime.datetime | None:
    """Return when *queryset* (rows with ``created_at``) has fewer than *cap* rows in *window*.

    None when it has fewer already. One query: the *cap* newest rows of the window; once the
    oldest of them leaves the window, there is room for one more.
    """
    times = list(
        queryset.filter(created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: max(cap, 1)]
    )
    if cap > 0 and len(times) < cap:
        return None
    return (times[cap - 1] + window) if times else now + window


def check_post(user, *, body: str, starts_thread: bool = False) -> None:
    """Raise ``LimitExceeded`` if *user* may not post *body* now (a reply, or a new thread).

    Everyone: the same text within ``DUPLICATE_POST_MINUTES``. New accounts: threads and replies
    per day, and the interval between two posts. When several limits apply, the refusal names the
    one that lasts longest.
    """
    now = timezone.now()
    refusals = []
    duplicate_window = datetime.timedelta(minutes=settings.DUPLICATE_POST_MINUTES)
    duplicate_at = (
        Post.objects.filter(
            author=user, body_markdown=body, is_deleted=False, created_at__gt=now - duplicate_window
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if duplicate_at:
        refusals.append(
            LimitExceeded(
                _("You posted exactly this text a few minutes ago; it is not posted twice."),
                retry_at=duplicate_at + duplicate_window,
            )
        )
    until = new_account_until(user)
    if until:
        refusals += _new_account_refusals(user, starts_thread=starts_thread, now=now, until=until)
    if refusals:
        raise max(refusals, key=lambda refusal: refusal.retry_at)


@contextmanager
def posting(user, *, body: str, starts_thread: bool = False):
    """Check ``check_post`` and keep it true while the caller writes the post.

    The member's row stays locked until the post is committed, so a double-clicked button or two
    tabs cannot both pass the checks before either post exists (PostgreSQL; SQLite writes one
    transaction at a time anyway).
    """
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        check_post(user, body=body, starts_thread=starts_thread)
        yield


def _new_account_refusals(user, *, starts_thread, now, until) -> list[LimitExceeded]:
    refusals = []
    hours = settings.NEW_ACCOUNT_HOURS
    if starts_thread:
        cap = settings.NEW_ACCOUNT_THREADS_PER_DAY
        retry_at = _cap_retry_at(Thread.objects.filter(author=user), cap=cap, now=now)
        message = ngettext(
            "In their first %(hours)d hours, new members start at most %(cap)d thread a day.",
            "In their first %(hours)d hours, new members start at most %(cap)d threads a day.",
            cap,
        )
    else:
        cap = settings.NEW_ACCOUNT_REPLIES_PER_DAY
        replies = Post.objects.filter(author=user, number__gt=1)
        retry_at = _cap_retry_at(replies, cap=cap, now=now)
        message = ngettext(
            "In their first %(hours)d hours, new members write at most %(cap)d reply a day.",
            "In their first %(hours)d hours, new members write at most %(cap)d replies a day.",
            cap,
        )
    if retry_at:
        refusals.append(
            LimitExceeded(message % {"hours": hours, "cap": cap}, retry_at=min(retry_at, until))
        )
    interval = datetime.timedelta(seconds=settings.NEW_ACCOUNT_POST_INTERVAL_SECONDS)
    last_at = (
        Post.objects.filter(author=user)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_at and now - last_at < interval:
        seconds = settings.NEW_ACCOUNT_POST_INTERVAL_SECONDS
        refusals.append(
            LimitExceeded(
                ngettext(
                    "New members wait %(seconds)d second between two posts.",
                    "New members wait %(seconds)d seconds between two posts.",
                    seconds,
                )
                % {"seconds": seconds},
                retry_at=min(last_at + interval, until),
            )
        )
    return refusals


def external_links(html: str) -> list[str]:
    """Return the links to other sites in rendered post *html* (mentions and quotes are local)."""
    return [href for href in HREF_RE.findall(html) if href.lower().startswith(EXTERNAL_SCHEMES)]


def post_shape_errors(user, body: str) -> list[str]:
    """Return why *body* is not a post *user* may write now (links, mentions); [] when it is."""
    if not body or not is_new_account(user):
        return []
    rendered = markdown.render(body)
    errors = []
    links, max_links = len(external_links(rendered.html)), settings.NEW_ACCOUNT_LINKS_PER_POST
    if links > max_links:
        errors.append(
            ngettext(
                "New members can put at most %(max)d link to another site in a post; this one "
                "has %(count)d. Remove some, or post them after your first day.",
                "New members can put at most %(max)d links to other sites in a post; this one "
                "has %(count)d. Remove some, or post them after your first day.",
                max_links,
            )
            % {"max": max_links, "count": links}
        )
    mentions, max_mentions = len(rendered.mentions), settings.NEW_ACCOUNT_MENTIONS_PER_POST
    if mentions > max_mentions:
        errors.append(
            ngettext(
                "New members can mention at most %(max)d member in a post; this one mentions "
                "%(count)d.",
                "New members can mention at most %(max)d members in a post; this one mentions "
                "%(count)d.",
                max_mentions,
            )
            % {"max": max_mentions, "count": mentions}
        )
    return errors


def check_reaction(user, post) -> None:
    """Raise ``LimitExceeded`` if *user* has given ``REACTIONS_PER_DAY`` marks in 24 hours.

    Taking a mark back is always allowed.
    """
    if Reaction.objects.filter(user=user, post=post).exists():
        return
    cap = settings.REACTIONS_PER_DAY
    retry_at = _cap_retry_at(Reaction.objects.filter(user=user), cap=cap, now=timezone.now())
    if retry_at:
        raise LimitExceeded(
            ngettext(
                "You can mark at most %(cap)d post helpful a day.",
                "You can mark at most %(cap)d posts helpful a day.",
                cap,
            )
            % {"cap": cap},
            retry_at=retry_at,
        )


def check_flag(user) -> None:
    """Raise ``LimitExceeded`` if *user* has raised ``FLAGS_PER_DAY`` flags in 24 hours."""
    cap = settings.FLAGS_PER_DAY
    retry_at = _cap_retry_at(Flag.objects.filter(flagger=user), cap=cap, now=timezone.now())
    if retry_at:
        raise LimitExceeded(
            ngettext(
                "You can flag at most %(cap)d post a day; the moderators will look at the ones "
                "you flagged.",
                "You can flag at most %(cap)d posts a day; the moderators will look at the ones "
                "you flagged.",
                cap,
            )
            % {"cap": cap},
            retry_at=retry_at,
        )
