"""How many back-in-stock subscribers to tell at once, and whether to go on (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BatchDecision:
    """How many to tell now; `stop_reason` says why no one is told."""

    size: int
    stop_reason: str | None = None


def next_batch(available: int, multiplier: Decimal, waiting: int, *, published: bool, minimum: int) -> BatchDecision:
    """Tell as many as the units available times the multiplier, never more than are waiting."""
    if not published:
        return BatchDecision(0, "the product is not published on the online store")
    if available <= 0:
        return BatchDecision(0, "sold out again before their turn")
    if available < max(minimum, 1):
        return BatchDecision(0, f"only {available} back, below the minimum restock of {minimum}")
    if waiting <= 0:
        return BatchDecision(0, "no one is waiting")
    size = max(1, math.floor(Decimal(available) * Decimal(multiplier)))
    return BatchDecision(min(size, waiting))
