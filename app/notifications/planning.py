"""The notification rows for a case's message: composed once, in the customer's language, one per channel."""

from __future__ import annotations

from datetime import date, datetime

from app import db
from app.channels.base import PermanentDeliveryError
from app.channels.sms_twilio import e164
from app.domain.messages import ComposedMessage, compose
from app.models import CaseEvent, Notification, Shop, ShopSettings, StockoutCase
from app.notifications import facts, policy, records


def recipient(channel: str, address: str) -> str:
    """The address as stored and compared: a lower-cased e-mail, an E.164 number (PermanentDeliveryError if not)."""
    return policy.normal_email(address) if channel == "email" else e164(address)


def row_values(
    *,
    shop: Shop,
    settings: ShopSettings,
    kind: str,
    channel: str,
    address: str,
    key: str,
    locale: str,
    message: ComposedMessage | None,
    now: datetime,
    case_id: int | None = None,
    subscription_id: int | None = None,
    error: str | None = None,
) -> dict:
    """One row to insert: failed with the reason when the address is unusable, scheduled when quiet hours hold it."""
    hold = None
    if error is None:
        hold = policy.hold_for_quiet_hours(
            channel, now, shop.timezone, settings.quiet_hours_start, settings.quiet_hours_end
        )
    values = dict(
        shop_id=shop.id, case_id=case_id, subscription_id=subscription_id, channel=channel,
        recipient=address[:320], kind=str(kind), locale=locale, idempotency_key=key,
        status="failed" if error else ("scheduled" if hold else "queued"), attempts=0, error=error,
        scheduled_for=hold, subject=None, body=None, html=None, created_at=now, updated_at=now,
    )
    if message is not None and channel == "email":
        values.update(subject=message.subject, body=message.text, html=message.html)
    elif message is not None:
        values.update(body=message.sms)
    return values


def plan_case(
    shop: Shop,
    case: StockoutCase,
    kind: str,
    now: datetime,
    *,
    sequence: str | int | None = None,
    previous_restock_date: date | None = None,
) -> list[Notification]:
    """The rows of one message about a case on each channel the shop uses; existing rows are returned as they are."""
    session = db.session()
    settings = facts.settings_of(shop)
    pairs = policy.channels_for(
        email=case.email, phone=case.phone, email_enabled=settings.email_enabled, sms_enabled=settings.sms_enabled
    )
    keys = [policy.idempotency_key(shop.id, kind, channel, case_id=case.id, sequence=sequence) for channel, _ in pairs]
    existing = records.by_keys(session, keys)
    missing = [(channel, address, key) for (channel, address), key in zip(pairs, keys) if key not in existing]
    if not missing:
        return [existing[key] for key in keys]
    locale = facts.case_locale(case, shop)
    base = facts.case_facts(case, shop, settings, kind, previous_restock_date=previous_restock_date)
    overrides = facts.template_overrides(shop.id, kind, locale)
    values = []
    for channel, address, key in missing:
        common = dict(shop=shop, settings=settings, kind=kind, channel=channel, key=key, locale=locale,
                      now=now, case_id=case.id)
        try:
            to = recipient(channel, address)
        except PermanentDeliveryError as error:
            values.append(row_values(address=address, message=None, error=error.reason, **common))
            # On the case's timeline, stored in the same commit as the row; the other channels still go.
            session.add(CaseEvent(shop_id=shop.id, case_id=case.id, kind="message_failed", created_at=now,
                                  detail={"kind": str(kind), "channel": channel, "reason": error.reason}))
            continue
        message = compose(kind, locale, facts.for_recipient(base, shop.id, channel, to, locale), overrides=overrides)
        values.append(row_values(address=to, message=message, **common))
    created = {row.idempotency_key: row for row in records.ensure(session, values)}
    return [existing.get(key) or created[key] for key in keys]
