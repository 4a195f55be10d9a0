"""Injected GraphQL failures per shop: the next N calls, or every call for T seconds, answer 5xx, 429 or THROTTLED."""
from dataclasses import dataclass

KINDS = ("http_500", "http_502", "http_503", "http_429", "throttled")


@dataclass
class Fault:
    kind: str
    remaining: int | None = None
    until: float | None = None


def add(shop, kind: str, *, count: int | None = None, seconds: float | None = None, now: float) -> Fault:
    if kind not in KINDS:
        raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(KINDS)}")
    if (count is None) == (seconds is None):
        raise ValueError("give exactly one of count or seconds")
    fault = Fault(kind, remaining=int(count) if count is not None else None,
                  until=now + float(seconds) if seconds is not None else None)
    shop.faults.append(fault)
    return fault


def take(shop, now: float) -> str | None:
    """The fault this call suffers, if any, using up one of a counted fault."""
    shop.faults[:] = [f for f in shop.faults if (f.remaining is None or f.remaining > 0)
                      and (f.until is None or f.until > now)]
    if not shop.faults:
        return None
    fault = shop.faults[0]
    if fault.remaining is not None:
        fault.remaining -= 1
    return fault.kind
