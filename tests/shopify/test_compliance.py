"""The three compliance topics leave the database as the privacy rules say."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import db
from app.models import (
    BackInStockSubscription,
    CaseEvent,
    CaseLine,
    Compensation,
    ComplianceRequest,
    ContactOptOut,
    LedgerOrder,
    Notification,
    Shop,
    StockoutCase,
    WebhookEvent,
)
from jobs.handlers.compliance import (
    on_customers_data_request,
    on_customers_redact,
    on_shop_redact,
    same_phone,
)
from jobs.handling import RejectedPayload
from tests.shopify.conftest import utcnow
from tests.shopify.test_lifecycle import deliver, make_shop

CUSTOMER = {"id": 191167, "email": "John@Example.com", "phone": "555-625-1199"}


def case_for(shop, order: int, **who) -> StockoutCase:
    case = StockoutCase(shop_id=shop.id, order_gid=f"gid://shopify/Order/{order}", order_name=f"#{order}", **who)
    db.session().add(case)
    db.session().flush()
    db.session().add(CaseLine(shop_id=shop.id, case_id=case.id, line_item_gid=f"gid://shopify/LineItem/{order}",
                              title="Linen shirt", quantity_ordered=2, quantity_short=1))
    db.session().add(CaseEvent(shop_id=shop.id, case_id=case.id, kind="notified",
                               detail={"to": who.get("email") or "", "channel": "email"}))
    db.session().add(Compensation(shop_id=shop.id, case_id=case.id, option="wait", kind="percent",
                                  amount=Decimal("5.00"), currency="USD", coupon_code="SORRY5",
                                  idempotency_key=f"comp-{order}"))
    return case


def message(shop, key: str, recipient: str, case=None, status: str = "sent") -> Notification:
    row = Notification(shop_id=shop.id, case_id=case.id if case else None, channel="sms" if "+" in recipient
                       else "email", recipient=recipient, kind="case_notice", locale="en", idempotency_key=key,
                       status=status, subject="Your order", body=f"Hello {recipient}", html="<p>Hello</p>")
    db.session().add(row)
    return row


@pytest.fixture
def world(app_context):
    """A shop holding John (under his gid, his e-mail, his phone and an order) and Jane."""
    shop, other_shop = make_shop("privacy.myshopify.com"), make_shop("elsewhere.myshopify.com")
    by_gid = case_for(shop, 1, customer_gid="gid://shopify/Customer/191167", customer_name="John Smith")
    by_email = case_for(shop, 2, email="john@example.com", customer_name="J. Smith")
    by_phone = case_for(shop, 3, phone="+15556251199")
    by_order = case_for(shop, 299938, customer_name="Guest")
    jane = case_for(shop, 4, customer_gid="gid://shopify/Customer/7", email="jane@example.com", phone="+15550001111",
                    customer_name="Jane Doe")
    twin = case_for(other_shop, 5, email="john@example.com", customer_name="John elsewhere")
    db.session().flush()
    rows = {
        "shop": shop, "other_shop": other_shop, "by_gid": by_gid, "by_email": by_email, "by_phone": by_phone,
        "by_order": by_order, "jane": jane, "twin": twin,
        "case_note": message(shop, "n1", "john@example.com", by_email),
        "sms": message(shop, "n2", "+1 555 625 1199", status="queued"),
        "jane_note": message(shop, "n3", "jane@example.com", jane, status="queued"),
        "subscription": BackInStockSubscription(shop_id=shop.id, variant_gid="gid://shopify/ProductVariant/9",
                                                email="john@example.com", consent_at=utcnow(),
                                                consent_ip="203.0.113.7"),
        "jane_subscription": BackInStockSubscription(shop_id=shop.id, variant_gid="gid://shopify/ProductVariant/9",
                                                     email="jane@example.com", consent_at=utcnow()),
        "opt_out": ContactOptOut(shop_id=shop.id, channel="sms", address="+15556251199", source="STOP",
                                 opted_out_at=utcnow()),
        "event": WebhookEvent(shop_id=shop.id, event_id="old-order-event", topic="orders/create",
                              status="processed", raw_body=b'{"email": "john@example.com"}'),
        "pending_event": WebhookEvent(shop_id=shop.id, event_id="pending-event", topic="orders/create",
                                      status="pending", raw_body=b"{}"),
        "ledger": LedgerOrder(shop_id=shop.id, order_gid="gid://shopify/Order/2", order_created_at=utcnow(),
                              customer_name="J. Smith", email="john@example.com", phone="+15556251199"),
        "jane_ledger": LedgerOrder(shop_id=shop.id, order_gid="gid://shopify/Order/4", order_created_at=utcnow(),
                                   customer_name="Jane Doe", email="jane@example.com"),
    }
    for key in ("subscription", "jane_subscription", "opt_out", "event", "pending_event", "ledger", "jane_ledger"):
        db.session().add(rows[key])
    db.session().commit()
    return rows


def payload(orders_key: str, **extra) -> dict:
    return {"shop_id": 954889, "shop_domain": "privacy.myshopify.com", "customer": CUSTOMER,
            orders_key: [299938], **extra}


def test_a_data_request_gathers_everything_held_on_the_customer(world):
    deliver(on_customers_data_request, world["shop"], "customers/data_request",
            payload=payload("orders_requested", data_request={"id": 9999}))

    request = db.session().scalar(select(ComplianceRequest))
    assert request.topic == "customers/data_request" and request.shopify_request_id == "9999"
    assert request.status == "completed" and request.completed_at is not None
    export = request.export
    assert sorted(c["order_gid"] for c in export["cases"]) == [
        "gid://shopify/Order/1", "gid://shopify/Order/2", "gid://shopify/Order/299938", "gid://shopify/Order/3",
    ]
    assert export["cases"][0]["lines"][0]["title"] == "Linen shirt"
    assert export["cases"][0]["compensations"][0]["amount"] == "5.0000"
    assert sorted(n["recipient"] for n in export["notifications"]) == ["+1 555 625 1199", "john@example.com"]
    assert [s["consent_ip"] for s in export["back_in_stock_subscriptions"]] == ["203.0.113.7"]
    assert [o["address"] for o in export["opt_outs"]] == ["+15556251199"]
    assert request.summary == {"cases": 4, "notifications": 2, "back_in_stock_subscriptions": 1, "opt_outs": 1}
    assert "jane" not in str(export).lower() and "elsewhere" not in str(export)


def test_a_redelivered_data_request_updates_its_one_record(world):
    for _ in range(2):
        deliver(on_customers_data_request, world["shop"], "customers/data_request",
                payload=payload("orders_requested", data_request={"id": 9999}))
    assert db.session().scalar(select(func.count(ComplianceRequest.id))) == 1


def test_a_redact_erases_the_customer_and_keeps_anonymous_counts(world):
    deliver(on_customers_data_request, world["shop"], "customers/data_request",
            payload=payload("orders_requested", data_request={"id": 9999}))
    cases_before = db.session().scalar(select(func.count(StockoutCase.id)))

    deliver(on_customers_redact, world["shop"], "customers/redact", payload=payload("orders_to_redact"))

    db.session().expire_all()
    for key in ("by_gid", "by_email", "by_phone", "by_order"):
        case = world[key]
        assert (case.customer_name, case.email, case.phone, case.customer_gid) == (None, None, None, None)
        assert case.lines and case.lines[0].quantity_short == 1
    assert db.session().scalar(select(func.count(StockoutCase.id))) == cases_before
    events = db.session().scalars(select(CaseEvent).where(CaseEvent.case_id == world["by_email"].id)).all()
    assert events[0].detail == {"to": "[redacted]", "channel": "email"}
    note, sms = world["case_note"], world["sms"]
    assert (note.recipient, note.subject, note.body, note.html, note.status) == ("[redacted]", None, None, None, "sent")
    assert (sms.recipient, sms.status) == ("[redacted]", "cancelled")
    sub = world["subscription"]
    assert (sub.email, sub.consent_ip, sub.status) == (None, None, "redacted")
    assert db.session().scalar(select(func.count(ContactOptOut.id))) == 0
    ledger, jane_ledger = world["ledger"], world["jane_ledger"]
    assert (ledger.customer_name, ledger.email, ledger.phone) == (None, None, None)
    assert (jane_ledger.customer_name, jane_ledger.email) == ("Jane Doe", "jane@example.com")
    assert world["event"].raw_body is None and world["pending_event"].raw_body == b"{}"
    exports = db.session().scalars(select(ComplianceRequest).order_by(ComplianceRequest.id)).all()
    assert exports[0].export is None and exports[0].status == "redacted"
    assert exports[1].topic == "customers/redact" and exports[1].summary["cases"] == 4
    assert "john" not in str(exports[1].summary).lower()


def test_a_redact_leaves_other_customers_and_other_shops_alone(world):
    deliver(on_customers_redact, world["shop"], "customers/redact", payload=payload("orders_to_redact"))

    db.session().expire_all()
    jane, twin = world["jane"], world["twin"]
    assert (jane.customer_name, jane.email, jane.phone) == ("Jane Doe", "jane@example.com", "+15550001111")
    assert (twin.customer_name, twin.email) == ("John elsewhere", "john@example.com")
    assert (world["jane_note"].recipient, world["jane_note"].status) == ("jane@example.com", "queued")
    assert world["jane_subscription"].email == "jane@example.com"


def test_a_request_naming_no_customer_is_rejected(world):
    with pytest.raises(RejectedPayload):
        deliver(on_customers_redact, world["shop"], "customers/redact", payload={"shop_id": 1, "customer": {}})


def test_shop_redact_erases_every_row_of_an_uninstalled_shop(world, run_jobs):
    shop, other_id = world["shop"], world["other_shop"].id
    shop.uninstalled_at = utcnow() - timedelta(days=2)
    db.session().commit()
    shop_id = shop.id

    deliver(on_shop_redact, shop, "shop/redact", payload={"shop_id": 954889, "shop_domain": shop.domain})
    assert run_jobs(["default"]) == 1

    db.session().expunge_all()
    assert db.session().get(Shop, shop_id) is None
    for model in (StockoutCase, CaseLine, CaseEvent, Compensation, Notification, BackInStockSubscription,
                  ContactOptOut, WebhookEvent, ComplianceRequest):
        assert db.session().scalar(select(func.count()).select_from(model).where(model.shop_id == shop_id)) == 0
    assert db.session().get(Shop, other_id) is not None
    assert db.session().scalar(select(func.count(StockoutCase.id)).where(StockoutCase.shop_id == other_id)) == 1


def test_shop_redact_for_an_installed_shop_erases_nothing(world, run_jobs):
    deliver(on_shop_redact, world["shop"], "shop/redact", payload={"shop_id": 954889})
    assert run_jobs(["default"]) == 0
    assert db.session().get(Shop, world["shop"].id) is not None


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("+1 555-625-1199", "555-625-1199", True),
        ("+15556251199", "+1 (555) 625-1199", True),
        ("+15556251199", "+15556251198", False),
        ("1199", "+15556251199", False),
        ("", "", False),
    ],
)
def test_phone_numbers_match_across_formats(a, b, same):
    assert same_phone(a, b) is same
