"""The personal email digest: periods, preferences, what one member gets, and exactly-once delivery.

A run (``run_start``, started by Celery beat) covers one period, the week or day that ended at the
scheduled hour, and fans the subscribers out in chunks; each member's task calls ``deliver``,
which claims the member's ledger row (``DigestDelivery``), builds the digest from what the member
may see *now* (``build``) and sends it. Content of a period is what appeared between its start and
its end, each shifted back by the edit grace period, so consecutive periods neither overlap nor
leave a gap, and nothing younger than the grace period is ever reported.
"""

from .content import Digest, DigestItem, Interests, build
from .delivery import (
    DigestInProgress,
    DigestTemporaryFailure,
    deliver,
    is_absent,
    is_temporary,
    preview,
    retry_countdown,
    run_start,
    subscriber_ids,
)
from .periods import KINDS, content_window, period_for
from .preferences import (
    BadUnsubscribeToken,
    Preferences,
    UnsubscribeRequest,
    digest_unsubscribe,
    preferences_get,
    preferences_save,
    subscription_create_at_signup,
    subscription_get,
    subscription_set,
    unsubscribe_request,
    unsubscribe_token,
    unsubscribe_url,
)

__all__ = [
    "KINDS",
    "BadUnsubscribeToken",
    "Digest",
    "DigestInProgress",
    "DigestItem",
    "DigestTemporaryFailure",
    "Interests",
    "Preferences",
    "UnsubscribeRequest",
    "build",
    "content_window",
    "deliver",
    "digest_unsubscribe",
    "is_absent",
    "is_temporary",
    "period_for",
    "preferences_get",
    "preferences_save",
    "preview",
    "retry_countdown",
    "run_start",
    "subscriber_ids",
    "subscription_create_at_signup",
    "subscription_get",
    "subscription_set",
    "unsubscribe_request",
    "unsubscribe_token",
    "unsubscribe_url",
]
