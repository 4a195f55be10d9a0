"""The development channel: messages are checked like real ones, kept, and acknowledged, but never leave."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

from app.channels.base import DeliveryError, OutgoingEmail, OutgoingSms, SentReceipt
from app.channels.email_smtp import build_message
from app.channels.sms_twilio import e164


class Outbox:
    """Accepts e-mail and SMS for the demo and tests; the notification rows keep the text for the admin."""

    provider = "outbox"

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail | OutgoingSms] = []
        self._lock = threading.Lock()

    def send(self, message: OutgoingEmail | OutgoingSms) -> SentReceipt:
        """Keep the message after the checks a real provider makes (address, number, MIME)."""
        if isinstance(message, OutgoingEmail):
            build_message(message)
        else:
            e164(message.to)
        with self._lock:
            self.sent.append(message)
        digest = hashlib.sha256(message.idempotency_key.encode("utf-8")).hexdigest()[:24]
        return SentReceipt(self.provider, f"outbox-{digest}")

    def send_many(self, messages: Sequence[OutgoingEmail | OutgoingSms]) -> list[SentReceipt | DeliveryError]:
        """Keep a batch; each message gets its receipt or its error, in order."""
        results: list[SentReceipt | DeliveryError] = []
        for message in messages:
            try:
                results.append(self.send(message))
            except DeliveryError as error:
                results.append(error)
        return results
