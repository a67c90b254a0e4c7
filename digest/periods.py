"""Digest periods: which week or day a run covers and which content falls in it."""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone

from community.models import DigestFrequency

KINDS = (DigestFrequency.WEEKLY, DigestFrequency.DAILY)


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


def next_period_for(kind: str, now: datetime.datetime | None = None):
    """Return (start, end) of the *kind* period under way at *now*: what the next digest covers."""
    start, end = period_for(kind, now)
    # Same time zone on both sides: the difference is the wall-clock step (a day or a week).
    return end, end + (end - start)


def content_window(period_start, period_end):
    """Return the (from, until) times whose content belongs to a period: shifted by the grace."""
    grace = datetime.timedelta(minutes=settings.DIGEST_EDIT_GRACE_MINUTES)
    return period_start - grace, period_end - grace
