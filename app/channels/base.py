"""The shapes every channel speaks: outgoing messages, receipts, and the two kinds of failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    to_name: str | None
    subject: str
    text: str
    html: str | None
    from_name: str
    from_address: str
    reply_to: str | None
    list_unsubscribe_url: str | None
    idempotency_key: str
    marketing: bool = False


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str
    idempotency_key: str


@dataclass(frozen=True)
class SentReceipt:
    """The provider accepted the message; provider_id is its reference for it."""

    provider: str
    provider_id: str


class DeliveryError(Exception):
    """The message did not leave; reason says why in words an admin can read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Worth trying again later: the provider is down, busy or throttling us."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Trying again cannot help: the address or number is wrong, or the recipient refused."""


class EmailSender(Protocol):
    def send(self, email: OutgoingEmail) -> SentReceipt:
        """Send one e-mail, raising a DeliveryError when it does not leave."""

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SentReceipt | DeliveryError]:
        """Send a batch; each e-mail gets its receipt or its error, in order."""


class SmsSender(Protocol):
    def send(self, sms: OutgoingSms) -> SentReceipt:
        """Send one SMS, raising a DeliveryError when it does not leave."""
