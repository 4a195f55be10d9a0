"""Time sources: the real clock, and a settable one for tests."""
import threading
import time
from datetime import datetime, timedelta, timezone


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def timestamp(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to, so expiry and refill are testable."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


def iso(moment: datetime | None) -> str | None:
    """Shopify's GraphQL DateTime form: UTC, second precision, trailing Z."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp (Z or offset; a bare date means midnight UTC) into aware UTC."""
    value = text.strip()
    if len(value) == 10:
        value += "T00:00:00"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
