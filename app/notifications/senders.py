"""The channel backends a worker sends through, chosen by configuration and kept for the process's life."""

from __future__ import annotations

import threading

from flask import current_app

from app import queues
from app.channels.base import EmailSender, OutgoingEmail, OutgoingSms, SmsSender
from app.channels.email_provider import make_email_sender
from app.channels.outbox import Outbox
from app.channels.sms_provider import SMS_PROVIDERS, make_sms_sender
from app.models import Notification, Shop, ShopSettings
from app.notifications import links, policy
from app.notifications.facts import message_shop
from app.notifications.pacing import SharedPacer

_LOCK = threading.Lock()


def _cached(name: str, build):
    """One sender per process and backend: SMTP settings, Twilio's HTTP client and pacer are reused."""
    cache = current_app.extensions.setdefault("stockout.senders", {})
    with _LOCK:
        if name not in cache:
            cache[name] = build()
        return cache[name]


def email_sender() -> EmailSender:
    """The e-mail backend named by EMAIL_BACKEND (a fresh outbox each time: its rows keep the text)."""
    settings = current_app.config["SETTINGS"]
    if settings.email_backend == "outbox":
        return Outbox()
    return _cached(f"email:{settings.email_backend}", lambda: make_email_sender(settings.email_backend, settings))


def sms_sender(shop_settings: ShopSettings) -> SmsSender:
    """The SMS backend for this shop, paced across all workers under the sending number's rate."""
    settings = current_app.config["SETTINGS"]
    name = policy.sms_backend(settings.sms_provider, shop_settings.sms_provider, frozenset(SMS_PROVIDERS))
    if name == "outbox":
        return Outbox()
    return _cached(f"sms:{name}", lambda: _paced(make_sms_sender(name, settings), name, settings))


def _paced(sender: SmsSender, name: str, settings) -> SmsSender:
    if hasattr(sender, "pacer"):
        sender_id = getattr(sender, "messaging_service_sid", None) or getattr(sender, "from_number", None) or "default"
        sender.pacer = SharedPacer(queues.redis(), f"sms-pace:{name}:{sender_id}", settings.sms_rate_per_second)
    return sender


def outgoing_email(row: Notification, shop: Shop, shop_settings: ShopSettings) -> OutgoingEmail:
    """The e-mail of a stored notification, from the shop's sender name, with its unsubscribe link."""
    app_settings = current_app.config["SETTINGS"]
    shown = message_shop(shop, shop_settings)
    return OutgoingEmail(
        to=row.recipient,
        to_name=None,
        subject=row.subject or "",
        text=row.body or "",
        html=row.html,
        from_name=shown.name,
        from_address=app_settings.email_from_address,
        reply_to=shown.contact_email or None,
        list_unsubscribe_url=(links.unsubscribe_url_in(row.body)
                              or links.unsubscribe_url(row.shop_id, "email", row.recipient, row.locale)),
        idempotency_key=row.idempotency_key,
        marketing=policy.category(row.kind) is policy.Category.MARKETING,
    )


def outgoing_sms(row: Notification) -> OutgoingSms:
    return OutgoingSms(to=row.recipient, body=row.body or "", idempotency_key=row.idempotency_key)
