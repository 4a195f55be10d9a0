"""A sender's rate shared by every worker, held at the provider's side: a Redis window of recent sends.

Spacing sends by the rate at our side is not enough: a request that leaves on time may be delayed on its way (a busy
core, a slow connection) and reach the provider right behind the next one, and both then count in the same second.
So each send holds a place in a window until it has been answered, plus the window's length: the next send over the
limit leaves only after the oldest one came back and its window passed. An answered request has arrived, so no
window of the provider's clock ever holds more than the limit, however the requests travelled. Sends are also
spaced by the rate so they go one by one rather than in bursts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from redis import Redis
from redis.exceptions import RedisError

from app.channels.base import TransientDeliveryError
from app.channels.pacing import window_for

# How long a send may stay unanswered before its place is freed anyway (its worker died): the HTTP timeout and more.
IN_FLIGHT_LIMIT_S = 30.0
# The longest nap between two looks at the window, so a place freed early (an answer) is seen soon.
LONGEST_NAP_S = 0.25
# Redis's clock, so workers on different hosts agree. KEYS: the window (sorted set: a send's id, scored with the
# moment it stops counting) and the last send's moment. Returns 0 when the caller may send now, else microseconds
# to wait before asking again.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval, limit, window, flight = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local wait = 0
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < last + interval then wait = last + interval - now end
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now + flight + window, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil((flight + window) / 1000) + 1000)
redis.call('SET', KEYS[2], now, 'PX', math.ceil(interval / 1000) + 1000)
return 0
"""
# The send was answered: it counts for one window from now, not from when it left.
_RELEASE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0
"""


class SharedPacer:
    """Every process sending from one number holds its sends under `rate_per_second`, counted at the provider."""

    def __init__(
        self, connection: Redis, key: str, rate_per_second: float, sleep: Callable[[float], None] = time.sleep
    ):
        if rate_per_second <= 0:
            raise ValueError("a pacer needs a positive rate")
        self.keys = [f"{key}:window", f"{key}:last"]
        limit, seconds = window_for(rate_per_second)
        self._args = [int(1_000_000 / rate_per_second), limit, int(seconds * 1_000_000), int(IN_FLIGHT_LIMIT_S * 1e6)]
        self._window_us = int(seconds * 1_000_000)
        self._acquire = connection.register_script(_ACQUIRE)
        self._release = connection.register_script(_RELEASE)
        self._sleep = sleep

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Wait for a place in the window, send inside the block, then count the send from its answer."""
        ticket = uuid.uuid4().hex
        waited = self._take(ticket)
        try:
            yield waited
        finally:
            try:
                self._release(keys=self.keys[:1], args=[ticket, self._window_us])
            except RedisError:
                pass  # the place frees itself after IN_FLIGHT_LIMIT_S; the message itself went

    def _take(self, ticket: str) -> float:
        waited = 0.0
        while True:
            try:
                wait_us = int(self._acquire(keys=self.keys, args=[ticket, *self._args]))
            except RedisError as error:
                # Nothing was sent yet: the message goes back to the queue rather than past the provider's rate.
                raise TransientDeliveryError(f"the SMS pace keeper (Redis) is unavailable: {error}") from error
            if wait_us <= 0:
                return waited
            nap = min(wait_us / 1_000_000, LONGEST_NAP_S)
            self._sleep(nap)
            waited += nap
