"""Opt-outs: recorded the moment a customer asks, checked before every message on that channel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import ContactOptOut, Notification
from app.notifications.records import SENDABLE, among

OPTED_OUT_REASON = "the customer opted out of this channel for this shop"


def opted_out(session: Session, shop_id: int, channel: str, addresses: Iterable[str]) -> set[str]:
    """Which of these addresses asked this shop to stop writing on this channel."""
    addresses = list(set(addresses))
    if not addresses:
        return set()
    return set(
        session.scalars(
            select(ContactOptOut.address).where(
                ContactOptOut.shop_id == shop_id, ContactOptOut.channel == channel,
                among(session, ContactOptOut.address, addresses),
            )
        )
    )


def record(session: Session, shop_id: int, channel: str, address: str, source: str, now: datetime) -> None:
    """Record the opt-out (once) and withdraw that address's pending messages; the caller commits."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(ContactOptOut)
        .values(shop_id=shop_id, channel=channel, address=address, source=source, opted_out_at=now)
        .on_conflict_do_nothing(index_elements=["shop_id", "channel", "address"])
    )
    session.execute(
        update(Notification)
        .where(Notification.shop_id == shop_id, Notification.channel == channel, Notification.recipient == address)
        .where(Notification.status.in_(SENDABLE))
        .values(status="suppressed", error=OPTED_OUT_REASON, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def withdraw(session: Session, shop_id: int, channel: str, address: str) -> bool:
    """The customer asked to hear from the shop again (START); the caller commits."""
    result = session.execute(
        delete(ContactOptOut).where(
            ContactOptOut.shop_id == shop_id, ContactOptOut.channel == channel, ContactOptOut.address == address
        )
    )
    return result.rowcount > 0


def shops_that_wrote_to(session: Session, channel: str, address: str) -> list[int]:
    """The shops that sent this address a message: an SMS reply to our shared number concerns them all."""
    return list(
        session.scalars(
            select(Notification.shop_id)
            .where(Notification.channel == channel, Notification.recipient == address)
            .distinct()
        )
    )
