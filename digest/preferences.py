"""Digest subscriptions, per-item follows and mutes, and signed unsubscribe tokens."""

import logging
from dataclasses import dataclass, field

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community import emails
from community.models import (
    DigestFrequency,
    DigestSubscription,
    DigestTopic,
    Follow,
    FollowLevel,
    Forum,
    User,
)
from community.querysets import visible_tags
from knowledgebase.models import Classification, Theme

logger = logging.getLogger(__name__)

# Links in digests already sent carry tokens signed with this salt: it outlives the move.
UNSUBSCRIBE_SALT = "community.digest.unsubscribe"


# A followed item is named "forum:<id>", "tag:<id>", "theme:<id>" or "classification:<code>".


def unsubscribe_token(*, user_id: int, item: str = "") -> str:
    """Return the signed token of an unsubscribe link for *user_id* (and one followed *item*)."""
    data = {"u": user_id, "i": item} if item else {"u": user_id}
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, item: str = "") -> str:
    token = unsubscribe_token(user_id=user_id, item=item)
    return emails.absolute_url(reverse("digest:unsubscribe", args=[token]))


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
    label = _item_label(item, user) if item else ""
    return UnsubscribeRequest(user=user, item=item, item_label=label)


def _item_label(item: str, user: User) -> str:
    """Return the name of *item*, or "" if it is gone or *user* may no longer see it."""
    kind, _sep, key = item.partition(":")
    if kind == "classification":
        return dict(Classification.choices).get(key, key)
    lookups = {
        "forum": lambda: Forum.objects.visible_to(user),
        "tag": lambda: visible_tags(user),
        "theme": Theme.objects.all,
    }
    if kind not in lookups or not key.isdigit():
        return ""
    found = lookups[kind]().filter(pk=key).first()
    return str(found) if found else ""


def subscription_get(*, user: User) -> DigestSubscription | None:
    return DigestSubscription.objects.filter(user=user).first()


def subscription_set(*, user: User, frequency: str) -> DigestSubscription:
    """Set how often *user* gets the digest."""
    return DigestSubscription.objects.set_frequency(user=user, frequency=frequency)


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
    """Return *user*'s digest preferences, forums and tags limited to those they may see."""
    subscription = subscription_get(user=user)
    prefs = Preferences(frequency=subscription.frequency if subscription else DigestFrequency.OFF)
    visible_forums = set(Forum.objects.visible_to(user).values_list("pk", flat=True))
    follows = Follow.objects.filter(
        Q(forum__isnull=False) | Q(tag__in=visible_tags(user)), user=user
    ).select_related("tag")
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
    buttons on forum pages change the same thing); forums and tags *user* cannot see are left
    alone (they come back if the member may see them again).
    """
    subscription_set(user=user, frequency=prefs.frequency)
    now = timezone.now()
    _follows_save(user=user, prefs=prefs, now=now)
    _topics_save(user=user, prefs=prefs, now=now)


def _follows_wanted(prefs: Preferences, visible_forums, tag_ids) -> dict:
    """Return {("forum_id" or "tag_id", pk): level} for the visible forums and tags in *prefs*."""
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
    return wanted


def _follows_save(*, user: User, prefs: Preferences, now) -> None:
    """Make *user*'s forum and tag follows what *prefs* says, for those *user* may see."""
    visible_forums = set(Forum.objects.visible_to(user).values_list("pk", flat=True))
    tags = visible_tags(user)
    tag_ids = dict(
        tags.filter(name__in=prefs.follow_tags + prefs.mute_tags).values_list("name", "pk")
    )
    wanted = _follows_wanted(prefs, visible_forums, tag_ids)
    existing = Follow.objects.filter(
        Q(forum__isnull=False) | Q(tag__in=tags), user=user, thread__isnull=True
    )
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


def _topics_save(*, user: User, prefs: Preferences, now) -> None:
    """Replace *user*'s followed and muted themes and classifications with those of *prefs*."""
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
