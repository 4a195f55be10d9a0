"""Back-in-stock sign-ups through the app proxy: verified, validated, rate-limited, consent recorded."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from sqlalchemy import select

from app import db, queues
from app.models import BackInStockSubscription, Shop
from app.storefront import rate_limit
from app.storefront.signature import sign_proxy_query
from app.storefront.views import PER_ADDRESS, PER_IP

DOMAIN = "storefront-test.myshopify.com"


def _shop() -> Shop:
    shop = Shop(domain=DOMAIN, name="Storefront Test", installed_at=db.utcnow(), locale="zh-CN")
    db.session().add(shop)
    db.session().commit()
    return shop


def _url(secret: str = "test-client-secret", *, customer: str = "", timestamp: int | None = None, **extra) -> str:
    pairs = [("shop", DOMAIN), ("logged_in_customer_id", customer), ("path_prefix", "/apps/stockout"),
             ("timestamp", str(timestamp or int(time.time())))] + list(extra.items())
    return "/proxy/back-in-stock?" + urlencode(pairs + [("signature", sign_proxy_query(pairs, secret))])


def _rows() -> list[BackInStockSubscription]:
    db.session().expire_all()
    return list(db.session().scalars(select(BackInStockSubscription).order_by(BackInStockSubscription.id)))


def test_a_signed_sign_up_is_recorded_with_consent_time_source_and_ip(app_context, client):
    _shop()
    response = client.post(_url(customer="77"), json={"variant_id": "123", "product_id": "45",
                                                      "email": " Ada@Example.com ", "locale": "zh-TW"},
                           headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
    assert response.status_code == 201
    assert response.json["message"] == "謝謝！到貨後我們會第一時間通知您。"
    [row] = _rows()
    assert (row.variant_gid, row.product_gid, row.email) == (
        "gid://shopify/ProductVariant/123", "gid://shopify/Product/45", "ada@example.com")
    assert row.customer_gid == "gid://shopify/Customer/77"
    assert row.consent_ip == "203.0.113.9" and row.consent_source == "storefront_back_in_stock"
    assert row.consent_at is not None and row.status == "waiting" and row.locale == "zh-TW"
    again = client.post(_url(), json={"variant_id": "123", "email": "ada@example.com"})
    assert again.status_code == 200 and again.json["joined"] is False
    assert len(_rows()) == 1


def test_unsigned_forged_or_stale_requests_are_refused_and_nothing_is_stored(app_context, client):
    _shop()
    body = {"variant_id": "123", "email": "ada@example.com"}
    assert client.post("/proxy/back-in-stock", json=body).status_code == 401
    assert client.post(_url(secret="someone-else"), json=body).status_code == 401
    assert client.post(_url(timestamp=int(time.time()) - 300), json=body).status_code == 401
    assert _rows() == []


def test_bad_fields_get_a_message_in_the_shoppers_language(app_context, client):
    _shop()
    response = client.post(_url(), json={"variant_id": "123", "email": "not-an-address"})
    assert response.status_code == 422 and response.json["message"] == "请输入有效的电子邮箱地址。"
    response = client.post(_url(), json={"email": "ada@example.com", "locale": "en"})
    assert response.status_code == 422 and response.json["error"] == "variant_id"
    phone = client.post(_url(), data={"variant_id": "123", "phone": "(415) 555-2671", "country": "US"})
    assert phone.status_code == 201 and _rows()[0].phone == "+14155552671"


def _away_from_a_window_edge(window_seconds: int, margin: float = 10.0) -> None:
    """Start a counting test well inside one fixed window, so the count cannot be split by a new window."""
    into = time.time() % window_seconds
    if into > window_seconds - margin:
        time.sleep(window_seconds - into + 0.1)


def test_sign_ups_are_rate_limited_per_address_and_per_ip(app_context, client):
    _shop()
    _away_from_a_window_edge(min(PER_IP[1], PER_ADDRESS[1]))
    statuses = [client.post(_url(), json={"variant_id": str(100 + n), "email": "ada@example.com"},
                            headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(7)]
    assert statuses == [201] * 5 + [429, 429]
    statuses = [client.post(_url(), json={"variant_id": "999", "email": f"buyer{n}@example.com"},
                            headers={"X-Forwarded-For": "192.0.2.1"}).status_code for n in range(22)]
    assert statuses[:20] == [201] * 20 and statuses[20:] == [429, 429]


def test_the_fixed_window_counter_starts_again_in_the_next_window(app_context):
    redis = queues.redis()
    assert [rate_limit.allow(redis, "t", "k", 2, 60, now=120.0) for _ in range(3)] == [True, True, False]
    assert rate_limit.allow(redis, "t", "k", 2, 60, now=180.0) is True


def test_a_shop_that_is_not_installed_gets_404(app_context, client):
    shop = _shop()
    shop.uninstalled_at = db.utcnow()
    db.session().commit()
    assert client.post(_url(), json={"variant_id": "1", "email": "a@example.com"}).status_code == 404
