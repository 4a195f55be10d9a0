"""Fixed-window counters in Redis: at most N hits per key per window."""

from __future__ import annotations

import time

from redis import Redis


def allow(redis: Redis, scope: str, key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one hit for `key`; False once the window already holds `limit` hits."""
    window = int((time.time() if now is None else now) // window_seconds)
    name = f"ratelimit:{scope}:{key}:{window}"
    pipeline = redis.pipeline()
    pipeline.incr(name)
    pipeline.expire(name, window_seconds + 1)
    hits, _ = pipeline.execute()
    return int(hits) <= limit
