"""A Redis cache that keeps working, on the database, while Redis cannot be reached.

Pages, sessions and rate limits all use the cache. If Redis goes down, a plain Redis cache
turns every request into a 500, and a "fail open" cache would silently switch rate limits off.
Instead, each operation falls back to the ``fallback`` cache (Django's database cache), so
counters keep counting, and Redis is tried again after a short pause.
"""

import time

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from . import outages

OUTAGE_NAME = "Redis cache"
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class FailoverRedisCache(RedisCache):
    """Use Redis; while it fails, use the cache named in OPTIONS["FALLBACK"] instead."""

    retry_after_seconds = 5.0

    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS", {}))}
        self._fallback_alias = params["OPTIONS"].pop("FALLBACK", "fallback")
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, name, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except REDIS_ERRORS as error:
                # Once per outage and process, not once per retry (``medi4sec.outages``).
                outages.report_down(OUTAGE_NAME, error, consequence="using the database cache")
                self._down_until = time.monotonic() + self.retry_after_seconds
            else:
                if self._down_until:
                    self._down_until = 0.0
                    outages.report_up(OUTAGE_NAME)
                return result
        return getattr(caches[self._fallback_alias], name)(*args, **kwargs)

    @property
    def is_degraded(self):
        return time.monotonic() < self._down_until

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
