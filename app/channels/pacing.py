"""Keeping a sender under its provider's rate: a token bucket that waits rather than refuses."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def window_for(rate_per_second: float) -> tuple[int, float]:
    """How many sends a window holds, and its length in seconds: `rate` a second, or one per 1/rate seconds."""
    seconds = max(1.0, 1.0 / rate_per_second)
    return max(1, math.floor(rate_per_second * seconds + 1e-9)), seconds


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
        self.limit, self.window = window_for(rate_per_second)
        self._answered: deque[float] = deque(maxlen=self.limit)
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

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Send inside the block: spaced by the rate, and a window after the answer to the send `limit` before.

        Counting from answers holds the rate where the sends arrive, however long each one travelled (for one
        sending thread; app.notifications.pacing shares the same rule between processes).
        """
        waited = 0.0
        with self._lock:
            if len(self._answered) == self.limit:
                waited = max(0.0, self._answered[0] + self.window - self._clock())
                if waited:
                    self._sleep(waited)
        waited += self.wait()
        try:
            yield waited
        finally:
            with self._lock:
                self._answered.append(self._clock())
