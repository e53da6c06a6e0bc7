"""The cache the pages read: only ever a copy of what the database holds, so that Redis
being down (it is the broker too) makes a page slower, never refused. A form page, an
autosave or a dashboard that finds Redis unreachable reads the database, as on a miss, and
writes nothing to the cache; nothing of an answer is ever only in the cache."""

import functools
import logging
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Once Redis failed to answer, it is not asked again for this long: a Redis that hangs would
# otherwise cost each cache call of a page its timeout, not the page one timeout.
RETRY_AFTER_SECONDS = 5
# One warning a minute per process: an outage must show in the logs, not flood them.
WARN_EVERY_SECONDS = 60
_warned_at = [float("-inf")]


def _without_redis(answer):
    """``answer(*args, **kwargs)`` is what the method returns when Redis cannot be reached:
    what it returns when the cache does not hold the key."""

    def decorate(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if time.monotonic() < self._unasked_until:
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                now = time.monotonic()
                self._unasked_until = now + RETRY_AFTER_SECONDS
                if now - _warned_at[0] >= WARN_EVERY_SECONDS:
                    _warned_at[0] = now
                    logger.warning("The cache is unreachable; pages read the database: %s", error)
                return answer(*args, **kwargs)

        return wrapped

    return decorate


def _default(key, default=None, version=None):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, answering as a miss while Redis cannot be reached."""

    _unasked_until = float("-inf")

    get = _without_redis(_default)(RedisCache.get)
    get_many = _without_redis(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _without_redis(_false)(RedisCache.has_key)
    set = _without_redis(_nothing)(RedisCache.set)
    # Every key is reported as not stored, as Django's backends do for failed keys.
    set_many = _without_redis(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    add = _without_redis(_false)(RedisCache.add)
    touch = _without_redis(_false)(RedisCache.touch)
    delete = _without_redis(_false)(RedisCache.delete)
    delete_many = _without_redis(_nothing)(RedisCache.delete_many)
    clear = _without_redis(_false)(RedisCache.clear)


# --- Kept in the process too ---------------------------------------------------------------
#
# A framework's texts and labels are read by every form page and autosave; unpickling them
# from the cache on each request costs more than the rest of an autosave's Python. Under
# keys that change whenever what they hold changes (they carry the framework's stamp), a
# copy in the process's memory can never be an old one.

PROCESS_ENTRIES = 64
_process: OrderedDict[str, object] = OrderedDict()
_process_lock = threading.Lock()


def kept(key: str, seconds: int, compute):
    """The value under ``key``: from this process's memory, else from the cache, else
    ``compute()`` (stored in both). Only for keys that change with what they hold."""
    with _process_lock:
        if key in _process:
            _process.move_to_end(key)
            return _process[key]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    with _process_lock:
        _process[key] = value
        while len(_process) > PROCESS_ENTRIES:
            _process.popitem(last=False)
    return value


def forget_kept() -> None:
    """Empties this process's copies (tests that stand in for what a key is made from)."""
    with _process_lock:
        _process.clear()
