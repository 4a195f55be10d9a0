"""Keeping a sender under its provider's rate: a token bucket that waits rather than refuses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Lets at most `rate_per_second` sends through each second, in bursts of at most `burst`."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("a pacer needs a positive rate and a burst of at least 1")
        self.interval = 1.0 / rate_per_second
        self.burst = burst
        self._clock, self._sleep = clock, sleep
        self._next_free = float("-inf")
        # Held while sleeping on purpose: threads sharing one sender queue up instead of sending together.
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until one more send is allowed; returns the seconds spent waiting."""
        with self._lock:
            now = self._clock()
            # Virtual scheduling (GCRA): the next send is due one interval after the previous one's slot.
            slot = max(self._next_free, now)
            allowed_at = slot - (self.burst - 1) * self.interval
            waited = max(0.0, allowed_at - now)
            if waited:
                self._sleep(waited)
            self._next_free = slot + self.interval
            return waited
