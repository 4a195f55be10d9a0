"""Cost-aware pacing: one leaky-bucket ledger per shop in Redis, shared by every worker.

Shopify takes each query's requested cost from the bucket when the query arrives (refunding the
difference to the actual cost afterwards) and refills it at `restoreRate` points per second up to
`maximumAvailable`. The ledger mirrors that bucket, minus what callers have reserved:

- `reserve(cost)` takes the expected cost at once, counts it as pending, and says how long to wait
  until the bucket will hold it (callers queue up behind each other's reservations);
- `settle(...)` after the answer returns what was reserved but not spent, drops it from pending, and
  adopts Shopify's figure from `extensions.cost.throttleStatus` where that is lower. Shopify measured
  it at most one round trip ago, so it is credited with that much refill; when the bucket's size is
  first learnt (or changes) and after a THROTTLED answer, it is taken less what others still have pending.

Shopify's bucket holds our balance plus the pending reservations, and stops refilling when full, so the
ledger's refill stops at `maximum - pending`. It also keeps a margin of a quarter second of refill (at
most a tenth of the bucket) unspent, for requests that reach Shopify a little out of order; a constant
margin costs no throughput.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

DEFAULT_MAXIMUM = 1000.0
DEFAULT_RESTORE_RATE = 100.0
DEFAULT_COST = 50.0
LATENCY_ALLOWANCE_SECONDS = 0.25
# After this long without a call nothing can still be in flight (calls time out well before).
IDLE_SECONDS = 60
KEY_TTL_SECONDS = 3600

_REFILL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'available', 'maximum', 'rate', 'at', 'pending')
local maximum = tonumber(b[2]) or tonumber(ARGV[1])
local rate = tonumber(b[3]) or tonumber(ARGV[2])
local available = tonumber(b[1]) or maximum
local at = tonumber(b[4]) or now
local pending = tonumber(b[5]) or 0
if now - at > tonumber(ARGV[3]) then pending = 0 end
local refilled = available + math.max(0, now - at) * rate
if refilled > maximum - pending then refilled = math.max(available, maximum - pending) end
available = refilled
"""

_SAVE = """
redis.call('HSET', KEYS[1], 'available', tostring(available), 'maximum', tostring(maximum),
           'rate', tostring(rate), 'at', tostring(now), 'pending', tostring(pending))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
"""

# ARGV: default maximum, default rate, idle seconds, key TTL, cost, latency allowance
RESERVE = (
    _REFILL
    + """
local cost = tonumber(ARGV[5])
local need = cost + math.min(rate * tonumber(ARGV[6]), maximum / 10)
local wait = 0
if available < need then wait = (need - available) / rate end
available = available - cost
pending = pending + cost
"""
    + _SAVE
    + "return tostring(wait)"
)

# ARGV: default maximum, default rate, idle seconds, key TTL, reserved, spent,
#       Shopify's available ('' if unknown), maximum, restore rate, age of the figure (0 = take as is)
SETTLE = (
    _REFILL
    + """
local reserved = tonumber(ARGV[5])
pending = math.max(0, pending - reserved)
available = available + reserved - tonumber(ARGV[6])
if ARGV[7] ~= '' then
  local server, age = tonumber(ARGV[7]), tonumber(ARGV[10])
  if maximum ~= tonumber(ARGV[8]) or rate ~= tonumber(ARGV[9]) then age = 0 end
  maximum, rate = tonumber(ARGV[8]), tonumber(ARGV[9])
  if age > 0 then
    available = math.min(available, server + age * rate)
  else
    available = math.min(available, server - pending)
  end
end
available = math.min(available, maximum - pending)
"""
    + _SAVE
    + "return tostring(available)"
)


@dataclass(frozen=True)
class Cost:
    """What one response said about cost: requested, actual (None when throttled) and the bucket."""

    requested: float | None
    actual: float | None
    available: float | None
    maximum: float | None
    restore_rate: float | None

    @classmethod
    def from_extensions(cls, extensions: dict | None) -> "Cost":
        cost = (extensions or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        return cls(
            requested=cost.get("requestedQueryCost"),
            actual=cost.get("actualQueryCost"),
            available=status.get("currentlyAvailable"),
            maximum=status.get("maximumAvailable"),
            restore_rate=status.get("restoreRate"),
        )


class Pacer:
    """The shared ledger of one shop's bucket, and the expected cost of each named operation."""

    def __init__(self, redis: Redis, shop: str):
        self._redis = redis
        self._bucket = f"shopify:bucket:{shop}"
        self._costs = f"shopify:costs:{shop}"
        self._reserve = redis.register_script(RESERVE)
        self._settle = redis.register_script(SETTLE)

    def expected_cost(self, operation: str) -> float:
        value = self._redis.hget(self._costs, operation)
        return float(value) if value is not None else DEFAULT_COST

    def reserve(self, cost: float) -> float:
        """Take `cost` from the ledger; the seconds to wait before sending."""
        return float(self._reserve(keys=[self._bucket], args=self._args(cost, LATENCY_ALLOWANCE_SECONDS)))

    def settle(self, operation: str, reserved: float, cost: Cost, age: float = 0.0) -> None:
        """Close a reservation with what the answer said, and remember the operation's requested cost.

        `age` is the seconds since the request was sent. A throttled answer (figures but no actual
        cost) spent nothing, and its figure is taken as it is; with no figures at all (a network error,
        an HTTP error) the reservation is assumed spent.
        """
        if cost.available is not None and cost.maximum and cost.restore_rate:
            status = [cost.available, cost.maximum, cost.restore_rate]
            spent = cost.actual if cost.actual is not None else 0.0
            age = age if cost.actual is not None else 0.0
        else:
            status, spent = ["", "", ""], reserved
        self._settle(keys=[self._bucket], args=self._args(reserved, spent, *status, age))
        if cost.requested is not None:
            self._redis.hset(self._costs, operation, cost.requested)
            self._redis.expire(self._costs, KEY_TTL_SECONDS * 24)

    def _args(self, *values) -> list:
        return [DEFAULT_MAXIMUM, DEFAULT_RESTORE_RATE, IDLE_SECONDS, KEY_TTL_SECONDS, *values]

    def forget(self) -> None:
        self._redis.delete(self._bucket, self._costs)
