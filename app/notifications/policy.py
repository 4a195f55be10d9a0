"""Whether a message may go to someone, on a channel, now: pure decisions from plain facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.messages import MARKETING_KINDS, MessageKind


class Category(StrEnum):
    TRANSACTIONAL = "transactional"
    COURTESY = "courtesy"
    MARKETING = "marketing"


# Asking for a rating is about an order but nobody needs it; it yields to the daily cap like marketing does.
COURTESY_KINDS = frozenset({MessageKind.SATISFACTION_FOLLOWUP})
# Quiet hours protect phones at night; an e-mail waits in the inbox and may go at any hour.
QUIET_CHANNELS = frozenset({"sms"})
MARKETING_SUBSCRIBED = "SUBSCRIBED"


def category(kind: str) -> Category:
    """Marketing needs consent; transactional is about an order and is never dropped; courtesy sits between."""
    kind = MessageKind(kind)
    if kind in MARKETING_KINDS:
        return Category.MARKETING
    if kind in COURTESY_KINDS:
        return Category.COURTESY
    return Category.TRANSACTIONAL


@dataclass(frozen=True)
class Verdict:
    """What to do with one message: `queued` to send, or the status and reason it is not sent."""

    status: str
    reason: str | None = None

    @property
    def sends(self) -> bool:
        return self.status == "queued"


SEND = Verdict("queued")


def consent(kind: str, *, opted_out: bool, marketing_state: str | None) -> Verdict:
    """An opt-out stops every kind on that channel; marketing also needs the customer's SUBSCRIBED consent."""
    if opted_out:
        return Verdict("suppressed", "the customer opted out of this channel for this shop")
    if category(kind) is Category.MARKETING and marketing_state != MARKETING_SUBSCRIBED:
        state = marketing_state or "no consent recorded"
        return Verdict("suppressed", f"marketing needs the customer's consent (SUBSCRIBED), found {state}")
    return SEND


def cap(kind: str, *, sent_last_day: int, per_day: int) -> Verdict:
    """Marketing and courtesy give way to the daily cap; an order's own notices are never dropped."""
    if category(kind) is Category.TRANSACTIONAL or per_day <= 0 or sent_last_day < per_day:
        return SEND
    return Verdict("skipped", f"the customer already had {sent_last_day} messages in 24 hours (cap {per_day})")


def gate(kind: str, *, opted_out: bool, marketing_state: str | None, sent_last_day: int, per_day: int) -> Verdict:
    """Consent first, then the cap."""
    verdict = consent(kind, opted_out=opted_out, marketing_state=marketing_state)
    return verdict if not verdict.sends else cap(kind, sent_last_day=sent_last_day, per_day=per_day)


def in_quiet_hours(hour: int, start_hour: int, end_hour: int) -> bool:
    """Whether a local hour falls in [start, end), wrapping past midnight when start > end."""
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def quiet_until(now: datetime, shop_timezone: str, start_hour: int, end_hour: int) -> datetime | None:
    """When a message held by quiet hours may go (UTC), or None when it may go now."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(shop_timezone or "UTC")
    local = now.astimezone(zone)
    if not in_quiet_hours(local.hour, start_hour, end_hour):
        return None
    wake_day = local.date() if local.hour < end_hour else local.date() + timedelta(days=1)
    return datetime.combine(wake_day, time(end_hour), tzinfo=zone).astimezone(timezone.utc)


def hold_for_quiet_hours(
    channel: str, now: datetime, shop_timezone: str, start_hour: int, end_hour: int
) -> datetime | None:
    """When a message on this channel must wait for morning, the UTC moment it may go."""
    if channel not in QUIET_CHANNELS:
        return None
    return quiet_until(now, shop_timezone, start_hour, end_hour)


def channels_for(
    *, email: str | None, phone: str | None, email_enabled: bool, sms_enabled: bool
) -> list[tuple[str, str]]:
    """The (channel, address) pairs a shop's settings allow for a customer's known addresses."""
    pairs = []
    if email_enabled and email and email.strip():
        pairs.append(("email", email.strip()))
    if sms_enabled and phone and phone.strip():
        pairs.append(("sms", phone.strip()))
    return pairs


def sms_backend(app_provider: str, shop_provider: str | None, available: frozenset[str] | set[str]) -> str:
    """The SMS provider for a shop: the outbox everywhere in development, else the shop's choice when offered."""
    if app_provider == "outbox":
        return "outbox"
    if shop_provider and shop_provider in available and shop_provider != "outbox":
        return shop_provider
    return app_provider


def idempotency_key(
    shop_id: int,
    kind: str,
    channel: str,
    *,
    case_id: int | None = None,
    subscription_id: int | None = None,
    sequence: str | int | None = None,
) -> str:
    """The key that makes one message on one channel go out at most once, whatever retries happen."""
    if (case_id is None) == (subscription_id is None):
        raise ValueError("a notification is about exactly one case or one subscription")
    subject = f"case{case_id}" if case_id is not None else f"sub{subscription_id}"
    key = f"s{shop_id}:{subject}:{MessageKind(kind).value}:{channel}"
    return key if sequence is None else f"{key}:{sequence}"


def normal_email(address: str) -> str:
    """An e-mail address as we compare it: trimmed and lower-cased."""
    return address.strip().lower()
