"""Back-in-stock alerts through the emulator: batches sized by the stock, sent in sign-up order, one reminder."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from app import db
from app.models import BackInStockSubscription, Notification
from app.models.messaging import RestockAlert
from app.storefront.signature import sign_proxy_query
from jobs import back_in_stock as bis_jobs
from tests.choices.emulated import DOMAIN, release_scheduled


def _variant(store, handle_title: str) -> str:
    product = next(p for p in store.products() if p["title"] == handle_title)
    return product["variants"]["nodes"][0]["id"]


def _sign_up(client, variant_gid: str, email: str) -> None:
    pairs = [("shop", DOMAIN), ("logged_in_customer_id", ""), ("path_prefix", "/apps/stockout"),
             ("timestamp", str(int(time.time())))]
    url = "/proxy/back-in-stock?" + urlencode(pairs + [("signature", sign_proxy_query(pairs, "test-client-secret"))])
    response = client.post(url, json={"variant_id": variant_gid.rsplit("/", 1)[-1], "email": email, "locale": "en"},
                           headers={"X-Forwarded-For": f"198.51.100.{len(email)}"})
    assert response.status_code == 201


def _subscriptions() -> list[BackInStockSubscription]:
    db.session().expire_all()
    return list(db.session().scalars(select(BackInStockSubscription).order_by(BackInStockSubscription.id)))


def _told() -> list[str]:
    return [s.email for s in _subscriptions() if s.status == "notified"]


def test_three_units_and_ten_sign_ups_tell_three_then_only_as_many_as_remain(store, store_app, work):
    variant = _variant(store, "经典圆领T恤")
    store.set_stock(variant, 0)
    client = store_app.test_client()
    emails = [f"fan{n:02d}@example.com" for n in range(10)]
    for email in emails:
        _sign_up(client, variant, email)

    store.set_stock(variant, 3)
    bis_jobs.stock_returned(store.shop.id, variant, 3)
    work()
    assert _told() == emails[:3]
    sent = list(db.session().scalars(select(Notification).where(Notification.kind == "back_in_stock")))
    assert sorted(n.recipient for n in sent) == emails[:3] and {n.status for n in sent} == {"sent"}
    assert "?variant=" in sent[0].body and "/unsubscribe/" in sent[0].body
    waiting = [s for s in _subscriptions() if s.status == "waiting"]
    assert len(waiting) == 7

    store.set_stock(variant, 1)
    assert release_scheduled("jobs.back_in_stock.send_batch") == 1
    work()
    assert _told() == emails[:4]
    assert "batch 2" in _subscriptions()[3].status_reason

    store.set_stock(variant, 0)
    assert release_scheduled("jobs.back_in_stock.send_batch") == 1
    work()
    assert _told() == emails[:4]
    assert all("sold out again" in s.status_reason for s in _subscriptions()[4:])
    alert = db.session().scalars(select(RestockAlert)).one()
    assert alert.status == "stopped" and alert.batch_number == 2
    assert release_scheduled("jobs.back_in_stock.send_batch") == 0


def test_a_reminder_goes_once_to_those_who_did_not_buy_while_it_is_in_stock(store, store_app, work, emulator):
    variant = _variant(store, "宽松印花T恤")
    store.set_stock(variant, 0)
    client = store_app.test_client()
    for email in ("buyer@example.com", "browser@example.com"):
        _sign_up(client, variant, email)
    store.set_stock(variant, 5)
    bis_jobs.stock_returned(store.shop.id, variant, 5)
    work()
    assert _told() == ["buyer@example.com", "browser@example.com"]
    for row in _subscriptions():
        row.notified_at = row.notified_at - timedelta(hours=25)
    db.session().commit()
    emulator.control("POST", f"/shops/{DOMAIN}/orders", lines=[{"variant_id": variant, "quantity": 1}],
                     email="buyer@example.com")

    assert release_scheduled("jobs.back_in_stock.send_reminders") == 1
    work()
    buyer, browser = _subscriptions()
    assert buyer.status == "bought" and buyer.reminded_at is None
    assert browser.reminded_at is not None and "reminded once" in browser.status_reason
    reminders = list(db.session().scalars(select(Notification).where(Notification.idempotency_key.like("%reminder"))))
    assert [r.recipient for r in reminders] == ["browser@example.com"]
    bis_jobs.send_reminders(store.shop.id, variant, 1)
    work()
    assert len(list(db.session().scalars(select(Notification).where(Notification.kind == "back_in_stock")))) == 3


def test_nobody_is_told_about_an_unpublished_product_or_a_restock_below_the_minimum(store, store_app, work):
    variant = _variant(store, "防雨派克大衣（即将上新）")
    client = store_app.test_client()
    _sign_up(client, variant, "early@example.com")
    store.set_stock(variant, 4)
    bis_jobs.stock_returned(store.shop.id, variant, 4)
    work()
    [row] = _subscriptions()
    assert row.status == "waiting" and "not published" in row.status_reason

    settings = store.shop.settings
    settings.restock_min_quantity = 5
    db.session().commit()
    other = _variant(store, "法式条纹衫")
    _sign_up(client, other, "stripes@example.com")
    bis_jobs.stock_returned(store.shop.id, other, 2)
    assert "below the minimum of 5" in _subscriptions()[1].status_reason
