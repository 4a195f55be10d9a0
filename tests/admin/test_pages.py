"""Each admin page renders for an installed shop, in its language, with the embedding headers."""

from __future__ import annotations

import re

from sqlalchemy import select

from app import db
from app.models import ProductState, StockoutCase
from bench.admin_seed import seed_shop
from tests.admin.conftest import SHOP_DOMAIN

PAGES = ["/app/", "/app/cases", "/app/products", "/app/settings", "/app/reports"]
ADMIN_HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvanVuaXBlcg"


def test_each_page_renders_embedded_with_frame_ancestors_for_the_shop(page):
    for path in PAGES:
        response = page(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:2000])
        assert response.headers["Content-Security-Policy"] == (
            f"frame-ancestors https://{SHOP_DOMAIN} https://admin.shopify.com;"
        )
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert '<meta name="shopify-api-key" content="test-client-id">' in html
        assert "app-bridge.js" not in html, "outside the admin (development) nothing is loaded from Shopify's CDN"
        assert '<html lang="zh-CN">' in html
        assert "开发模式" in html
    embedded = page("/app/", host=ADMIN_HOST).get_data(as_text=True)
    assert "开发模式" not in embedded
    first_script = embedded[embedded.index("<script"):].split(">", 1)[0]
    assert first_script == '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"', \
        "inside the admin App Bridge is the first script, synchronous (no async, defer or module)"


def test_document_loads_without_a_good_token_bounce_for_a_fresh_one(client, shop, token):
    for query in ({"shop": SHOP_DOMAIN, "host": ADMIN_HOST, "status": "open"},
                  {"shop": SHOP_DOMAIN, "host": ADMIN_HOST, "status": "open", "id_token": token(client_id="other")}):
        response = client.get("/app/cases", query_string=query)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("/app/session-token?") and "id_token" not in location
        assert "shopify-reload=%2Fapp%2Fcases%3Fshop%3Djuniper-clay.myshopify.com%26host%3D" in location
    bounce = client.get("/app/session-token",
                        query_string={"shop": SHOP_DOMAIN, "host": ADMIN_HOST, "shopify-reload": "/app/cases"})
    assert bounce.status_code == 200
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in bounce.get_data(as_text=True)
    assert bounce.headers["Content-Security-Policy"].startswith(f"frame-ancestors https://{SHOP_DOMAIN} ")
    elsewhere = client.get("/app/session-token", query_string={"shopify-reload": "//evil.example/x"})
    assert 'data-reload="/app"' in elsewhere.get_data(as_text=True)
    assert client.get("/app/session-token").headers["Content-Security-Policy"] == "frame-ancestors 'none';"


def test_a_token_for_another_shop_than_the_query_names_is_not_accepted(client, shop, token):
    response = client.get("/app/", query_string={"shop": "other.myshopify.com", "id_token": token()})
    assert response.status_code == 302


def test_the_development_token_route_exists_only_in_development(app, client, shop):
    minted = client.get("/app/dev/session-token", query_string={"shop": SHOP_DOMAIN})
    assert minted.status_code == 200 and minted.json["shop"] == SHOP_DOMAIN
    page = client.get("/app/reports", query_string={"shop": SHOP_DOMAIN, "id_token": minted.json["token"]})
    assert page.status_code == 200
    app.config["SETTINGS"] = app.config["SETTINGS"].replace(env="production")
    assert client.get("/app/dev/session-token").status_code == 404


def test_every_page_renders_with_data(page, shop):
    seed_shop(db.session(), shop.id, db.utcnow(), products=60, cases=150, orders=1200)
    case_id = db.session().scalar(select(StockoutCase.id).where(StockoutCase.choice.is_not(None)).limit(1))
    product_id = db.session().scalar(select(ProductState.id).where(ProductState.state != "normal").limit(1))
    for path in PAGES + [f"/app/cases/{case_id}", f"/app/products/{product_id}"]:
        response = page(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:3000])
    filtered = page("/app/cases", status="open", q="#100", **{"from": "2020-01-01", "to": "2030-01-01"})
    assert filtered.status_code == 200
    assert page("/app/cases/999999").status_code == 404
    past_the_end = page("/app/cases", page="99").get_data(as_text=True)
    assert "共 150 个缺货订单" in past_the_end and "第 3 页，共 3 页" in past_the_end
    assert past_the_end.count('href="/app/cases/') == 50


def visible_prose(html: str) -> str:
    """The words a merchant reads: no markup, code, template sources, addresses, URLs or currency prefixes (US$)."""
    html = re.sub(r"(?s)<(script|style|textarea|pre|code|svg|ui-nav-menu)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<option[^>]*lang=\"en\"[^>]*>.*?</option>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\S+@\S+|https?://\S+|\b\S+\.myshopify\.com\b|\{\w+\}|\b[A-Z]{1,3}[$¥€£]", " ", html)


def test_chinese_pages_show_no_english(page, call, shop):
    db.session().add(StockoutCase(shop_id=shop.id, order_gid="gid://shopify/Order/1", order_name="#1001",
                                  status="open", detected_at=db.utcnow(), reason="demand_spike"))
    db.session().add(ProductState(shop_id=shop.id, product_gid="gid://shopify/Product/1", title="茶壶",
                                  state="presale", reason="restock_within_presale"))
    db.session().commit()
    # Product and format names stay as they are; snake_case words are the CSV file's column names.
    allowed = {"Shopify", "CSV", "Twilio", "UCS", "SMS", "reason"}
    for locale in ("zh-CN", "zh-TW"):
        assert call("/app/api/locale", json={"locale": locale}).status_code == 200
        for path in PAGES + ["/app/cases/1", "/app/products/1"]:
            response = page(path)
            assert response.status_code == 200, path
            tokens = re.findall(r"[A-Za-z][A-Za-z_]+", visible_prose(response.get_data(as_text=True)))
            words = {token for token in tokens if "_" not in token} - allowed
            assert not words, (locale, path, words)

