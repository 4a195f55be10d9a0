"""The flash sale's counts that must be exact, read from the app's database, the emulator, SMTP and Twilio."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app import db
from app.models import Compensation, Notification, StockoutCase, WebhookEvent


def app_counts(shop_id: int) -> dict:
    session = db.session()
    session.expire_all()
    notifications = Counter(tuple(row) for row in session.execute(
        select(Notification.kind, Notification.channel, Notification.status).where(Notification.shop_id == shop_id)))
    events = dict(session.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)).all())
    cases = dict(session.execute(select(StockoutCase.status, func.count()).where(
        StockoutCase.shop_id == shop_id).group_by(StockoutCase.status)).all())
    coupons = dict(session.execute(select(Compensation.status, func.count()).where(
        Compensation.shop_id == shop_id).group_by(Compensation.status)).all())
    session.rollback()
    return {"cases": cases, "cases_total": sum(cases.values()), "events": events,
            "notifications": {f"{k}/{c}/{s}": n for (k, c, s), n in sorted(notifications.items())},
            "coupons": coupons}


def sent(counted: dict, channel: str) -> int:
    """Messages the app recorded as handed over on one channel."""
    return sum(n for key, n in counted["notifications"].items()
               if key.split("/")[1] == channel and key.split("/")[2] in ("sent", "delivered"))


def processed_events(stage) -> int:
    """orders/create events processed so far (the burst's progress)."""
    with stage.app.app_context():
        found = db.session().scalar(select(func.count()).select_from(WebhookEvent).where(
            WebhookEvent.topic == "orders/create", WebhookEvent.status == "processed"))
        db.session().rollback()
    return found


# A case opened on a reading that later proved wrong ends withdrawn (before any message) or restocked (after one).
NOT_SHORT = ("withdrawn", "restocked")


def case_contacts(shop_id: int, statuses: tuple[str, ...] = NOT_SHORT,
                  exclude: bool = True) -> dict[int, tuple[str | None, str | None]]:
    """(e-mail, phone) of the cases still short (or, `exclude=False`, of the cases in `statuses`)."""
    chosen = StockoutCase.status.not_in(statuses) if exclude else StockoutCase.status.in_(statuses)
    rows = db.session().execute(select(StockoutCase.id, StockoutCase.email, StockoutCase.phone).where(
        StockoutCase.shop_id == shop_id, chosen))
    found = {case_id: (email, phone) for case_id, email, phone in rows}
    db.session().rollback()
    return found


def store_counts(shop) -> dict:
    """What the emulated shop holds: refunds per order, discount codes."""
    refunds = Counter(refund.order_id for refund in shop.refunds.values())
    return {"refunded_orders": len(refunds), "orders_refunded_twice": sum(1 for n in refunds.values() if n > 1),
            "discount_codes": len(shop.discounts)}


def duplicates(smtp_arrivals, sms) -> dict:
    """The same message (Message-ID, or SMS recipient and text) handed over more than once."""
    by_id = Counter(message_id for _at, _to, message_id in smtp_arrivals)
    by_text = Counter((m.to, m.body) for m in sms)
    return {"email_duplicates": sum(n - 1 for n in by_id.values() if n > 1),
            "sms_duplicates": sum(n - 1 for n in by_text.values() if n > 1)}


def exact(checks: dict[str, tuple[int, int]]) -> tuple[dict, list[str]]:
    """{name: (found, wanted)} -> a printable table and the names that do not hold."""
    table = {name: {"found": found, "wanted": wanted, "ok": found == wanted} for name, (found, wanted) in
             checks.items()}
    return table, [name for name, row in table.items() if not row["ok"]]
