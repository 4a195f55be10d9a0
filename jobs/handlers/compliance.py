"""The three mandatory privacy topics: customers/data_request, customers/redact, shop/redact."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import delete, false, func, or_, select, update

from app import db, queues
from app.models import (
    BackInStockSubscription,
    CaseEvent,
    ComplianceRequest,
    Compensation,
    ContactOptOut,
    LedgerOrder,
    Notification,
    Shop,
    StockoutCase,
    WebhookEvent,
)
from app.notifications.records import SENDABLE
from app.shopify.throttle import Pacer
from jobs.handling import Delivery, RejectedPayload

log = logging.getLogger("jobs")

REDACTED = "[redacted]"


@dataclass(frozen=True)
class Customer:
    """Who a request is about, in every form the app may have stored them under."""

    gid: str | None
    email: str | None
    phone: str | None
    order_gids: tuple[str, ...]

    @classmethod
    def from_payload(cls, payload: dict, orders_key: str) -> "Customer":
        about = payload.get("customer")
        if not isinstance(about, dict):
            raise RejectedPayload("the payload names no customer")
        customer_id = about.get("id")
        who = cls(
            gid=f"gid://shopify/Customer/{customer_id}" if customer_id else None,
            email=(about.get("email") or "").strip().lower() or None,
            phone=(about.get("phone") or "").strip() or None,
            order_gids=tuple(f"gid://shopify/Order/{number}" for number in payload.get(orders_key) or ()),
        )
        if not (who.gid or who.email or who.phone or who.order_gids):
            raise RejectedPayload("the payload gives no customer id, e-mail, phone or order")
        return who

    def has_email(self, value: str | None) -> bool:
        return bool(self.email and value and value.strip().lower() == self.email)

    def has_phone(self, value: str | None) -> bool:
        return bool(self.phone and value and same_phone(value, self.phone))


def same_phone(a: str, b: str) -> bool:
    """Equal digits, or one number is the other with a country code in front (8+ digits to count)."""
    da, db_ = re.sub(r"\D", "", a), re.sub(r"\D", "", b)
    shorter, longer = sorted((da, db_), key=len)
    return bool(shorter) and (da == db_ or (len(shorter) >= 8 and longer.endswith(shorter)))


def _phone_prefilter(column, who: Customer):
    """A cheap SQL narrowing on the last four digits; `same_phone` decides."""
    digits = re.sub(r"\D", "", who.phone or "")
    return column.like(f"%{digits[-4:]}") if len(digits) >= 4 else None


def _any(conditions: list):
    """OR of the conditions that apply; matches nothing when none do."""
    present = [c for c in conditions if c is not None]
    return or_(*present) if present else false()


def _cases(session, shop_id: int, who: Customer) -> list[StockoutCase]:
    return _order_rows(session, StockoutCase, shop_id, who)


def _order_rows(session, model, shop_id: int, who: Customer) -> list:
    """Rows of a per-order table (cases, the stockout ledger) that belong to the customer: by customer id, order,
    e-mail or phone — prefiltered in SQL, then matched exactly."""
    wanted = [
        model.customer_gid == who.gid if who.gid else None,
        func.lower(model.email) == who.email if who.email else None,
        model.order_gid.in_(who.order_gids) if who.order_gids else None,
        _phone_prefilter(model.phone, who),
    ]
    rows = session.scalars(select(model).where(model.shop_id == shop_id, _any(wanted))).all()
    return [
        row
        for row in rows
        if (who.gid and row.customer_gid == who.gid)
        or row.order_gid in who.order_gids
        or who.has_email(row.email)
        or who.has_phone(row.phone)
    ]


def _notifications(session, shop_id: int, who: Customer, case_ids: list[int]) -> list[Notification]:
    wanted = [
        Notification.case_id.in_(case_ids) if case_ids else None,
        func.lower(Notification.recipient) == who.email if who.email else None,
        _phone_prefilter(Notification.recipient, who),
    ]
    rows = session.scalars(
        select(Notification)
        .where(Notification.shop_id == shop_id, _any(wanted))
        .order_by(Notification.id)
    )
    return [n for n in rows if n.case_id in case_ids or who.has_email(n.recipient) or who.has_phone(n.recipient)]


def _subscriptions(session, shop_id: int, who: Customer) -> list[BackInStockSubscription]:
    wanted = [
        BackInStockSubscription.customer_gid == who.gid if who.gid else None,
        func.lower(BackInStockSubscription.email) == who.email if who.email else None,
        _phone_prefilter(BackInStockSubscription.phone, who),
    ]
    rows = session.scalars(
        select(BackInStockSubscription).where(
            BackInStockSubscription.shop_id == shop_id, _any(wanted)
        )
    )
    return [
        s
        for s in rows
        if (who.gid and s.customer_gid == who.gid) or who.has_email(s.email) or who.has_phone(s.phone)
    ]


def _ledger_orders(session, shop_id: int, who: Customer) -> list[LedgerOrder]:
    """The stockout ledger's copy of the customer's orders (it keeps name and contact for new cases)."""
    return _order_rows(session, LedgerOrder, shop_id, who)


def _opt_outs(session, shop_id: int, who: Customer) -> list[ContactOptOut]:
    wanted = [
        func.lower(ContactOptOut.address) == who.email if who.email else None,
        _phone_prefilter(ContactOptOut.address, who),
    ]
    rows = session.scalars(select(ContactOptOut).where(ContactOptOut.shop_id == shop_id, _any(wanted)))
    return [o for o in rows if who.has_email(o.address) or who.has_phone(o.address)]


def _plain(row, *names: str) -> dict:
    """The named columns of a row as JSON-safe values."""
    out = {}
    for name in names:
        value = getattr(row, name)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[name] = value
    return out


def _case_export(session, case: StockoutCase) -> dict:
    exported = _plain(
        case, "order_gid", "order_name", "customer_name", "email", "phone", "customer_locale",
        "status", "reason", "choice", "restock_date", "detected_at", "notified_at", "chosen_at", "resolved_at",
    )
    exported["lines"] = [_plain(line, "title", "sku", "quantity_ordered", "quantity_short") for line in case.lines]
    compensations = session.scalars(select(Compensation).where(Compensation.case_id == case.id))
    exported["compensations"] = [
        _plain(c, "option", "kind", "amount", "currency", "coupon_code", "ends_on", "status") for c in compensations
    ]
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    exported["events"] = [_plain(e, "kind", "detail", "created_at") for e in events]
    return exported


def on_customers_data_request(delivery: Delivery) -> None:
    """Gather everything held on the customer into a record the merchant can download from the admin."""
    who = Customer.from_payload(delivery.payload, "orders_requested")
    session = db.session()
    cases = _cases(session, delivery.shop_id, who)
    notifications = _notifications(session, delivery.shop_id, who, [c.id for c in cases])
    subscriptions = _subscriptions(session, delivery.shop_id, who)
    opt_outs = _opt_outs(session, delivery.shop_id, who)
    export = {
        "customer": {"id": who.gid, "email": who.email, "phone": who.phone, "orders": list(who.order_gids)},
        "cases": [_case_export(session, case) for case in cases],
        "notifications": [
            _plain(n, "channel", "recipient", "kind", "locale", "status", "subject", "body", "created_at", "sent_at")
            for n in notifications
        ],
        "back_in_stock_subscriptions": [
            _plain(s, "variant_gid", "email", "phone", "locale", "status", "consent_at", "consent_source", "consent_ip")
            for s in subscriptions
        ],
        "opt_outs": [_plain(o, "channel", "address", "source", "opted_out_at") for o in opt_outs],
    }
    summary = {key: len(export[key]) for key in ("cases", "notifications", "back_in_stock_subscriptions", "opt_outs")}
    request_id = (delivery.payload.get("data_request") or {}).get("id")
    _record(session, delivery, who, summary, export, str(request_id) if request_id is not None else None)


def on_customers_redact(delivery: Delivery) -> None:
    """Erase the customer's personal data; rows stay, anonymous, so reports keep their counts."""
    who = Customer.from_payload(delivery.payload, "orders_to_redact")
    session, now = db.session(), db.utcnow()
    cases = _cases(session, delivery.shop_id, who)
    needles = [v for v in (who.email, who.phone, *(c.email for c in cases), *(c.phone for c in cases)) if v]
    for case in cases:
        case.customer_name = case.email = case.phone = case.customer_gid = None
        for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
            event.detail = _scrub(event.detail, needles)
    notifications = _notifications(session, delivery.shop_id, who, [c.id for c in cases])
    for note in notifications:
        note.recipient, note.subject, note.body, note.html = REDACTED, None, None, None
        if note.status in SENDABLE:
            note.status, note.error = "cancelled", "customer redacted"
    subscriptions = _subscriptions(session, delivery.shop_id, who)
    for sub in subscriptions:
        sub.email = sub.phone = sub.customer_gid = sub.consent_ip = sub.status_reason = None
        sub.status = "redacted" if sub.status == "waiting" else sub.status
    opt_outs = _opt_outs(session, delivery.shop_id, who)
    for opt_out in opt_outs:
        session.delete(opt_out)
    ledger_orders = _ledger_orders(session, delivery.shop_id, who)
    for ledger_order in ledger_orders:
        ledger_order.customer_name = ledger_order.email = ledger_order.phone = ledger_order.customer_gid = None
    _forget_exports(session, delivery.shop_id, who)
    # Raw bodies of handled webhooks hold names and addresses; they are only kept for replays.
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.shop_id == delivery.shop_id, WebhookEvent.status.in_(("processed", "rejected", "ignored")))
        .values(raw_body=None)
    )
    summary = {
        "cases": len(cases),
        "notifications": len(notifications),
        "back_in_stock_subscriptions": len(subscriptions),
        "opt_outs": len(opt_outs),
        "ledger_orders": len(ledger_orders),
        "redacted_at": now.isoformat(),
    }
    _record(session, delivery, who, summary, None, None)


def _scrub(detail, needles: list[str]):
    """A copy of a JSON value with every string mentioning the customer's contact replaced."""
    if isinstance(detail, dict):
        return {key: _scrub(value, needles) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_scrub(value, needles) for value in detail]
    if isinstance(detail, str) and any(n.lower() in detail.lower() for n in needles):
        return REDACTED
    return detail


def _forget_exports(session, shop_id: int, who: Customer) -> None:
    for earlier in session.scalars(
        select(ComplianceRequest).where(
            ComplianceRequest.shop_id == shop_id, ComplianceRequest.topic == "customers/data_request"
        )
    ):
        about = (earlier.export or {}).get("customer") or {}
        if (who.gid and about.get("id") == who.gid) or who.has_email(about.get("email")):
            earlier.export, earlier.status = None, "redacted"


def _record(session, delivery: Delivery, who: Customer, summary: dict, export: dict | None, request_id) -> None:
    """One row per event: a redelivery updates it instead of adding another."""
    row = session.scalar(select(ComplianceRequest).where(ComplianceRequest.event_id == delivery.event_id))
    if row is None:
        row = ComplianceRequest(shop_id=delivery.shop_id, event_id=delivery.event_id, topic=delivery.topic)
        session.add(row)
    row.customer_gid, row.shopify_request_id = who.gid, request_id
    row.summary, row.export = summary, export
    row.status, row.completed_at = "completed", db.utcnow()


def on_shop_redact(delivery: Delivery) -> None:
    """Erase the shop (48 h after uninstall): queued to run once this event's status is committed."""
    shop = db.session().get(Shop, delivery.shop_id)
    if shop is None:
        return
    if shop.uninstalled_at is None:
        log.warning("shop/redact ignored: the app is installed", extra={"shop_id": shop.id})
        return
    delivery.after_commit.append(
        partial(queues.enqueue, "default", "jobs.handlers.compliance.erase_shop", shop_id=shop.id,
                job_id=f"shop-redact-{shop.id}")
    )


def erase_shop(shop_id: int) -> bool:
    """Delete the shop row; every table cascades from it. Skipped if the shop was reinstalled meanwhile."""
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None or shop.uninstalled_at is None:
        return False
    domain = shop.domain
    session.expunge(shop)
    session.execute(delete(Shop).where(Shop.id == shop_id))
    session.commit()
    Pacer(queues.redis(), domain).forget()
    log.info("shop erased", extra={"shop_id": shop_id})
    return True
