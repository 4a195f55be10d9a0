"""A sender's rate shared by every worker: each send reserves the next free slot in Redis, then waits for it."""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

from app.channels.base import TransientDeliveryError

# Slots are spaced a little wider than the rate, so network jitter cannot put two sends in one provider interval.
HEADROOM = 0.98
# Reserve the slot after the last one (or now), on Redis's clock so workers on different hosts agree.
_RESERVE = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(next_free, now_us)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil((slot + interval - now_us) / 1000) + 1000)
return slot - now_us
"""


class SharedPacer:
    """The `wait()` of app.channels.pacing.Pacer, for every process sending from one number."""

    def __init__(
        self, connection: Redis, key: str, rate_per_second: float, sleep: Callable[[float], None] = time.sleep
    ):
        if rate_per_second <= 0:
            raise ValueError("a pacer needs a positive rate")
        self.key = key
        self.interval_us = int(round(1_000_000 / (rate_per_second * HEADROOM)))
        self._reserve = connection.register_script(_RESERVE)
        self._sleep = sleep

    def wait(self) -> float:
        """Block until this process's reserved slot; returns the seconds spent waiting."""
        try:
            waited = int(self._reserve(keys=[self.key], args=[self.interval_us])) / 1_000_000
        except RedisError as error:
            # Nothing was sent yet: the message goes back to the queue rather than past the provider's rate.
            raise TransientDeliveryError(f"the SMS pace keeper (Redis) is unavailable: {error}") from error
        if waited > 0:
            self._sleep(waited)
        return waited
