"""A slipped restock date moves the presale label on the product title (the catalogue job decides again)."""

from __future__ import annotations

from datetime import timedelta

from app import db
from app.choices import delays
from app.domain.presale_label import presale_label
from app.stockout.restock_plans import save_plan, set_restock_plan
from jobs import catalogue

PRODUCT_TITLE = "帆布托特包"


def _title(store, product_gid: str) -> str:
    return store.emulator.control("GET", f"/shops/demo-apparel.myshopify.com/products/{product_gid.rsplit('/', 1)[-1]}")[
        "title"]


def test_a_slipped_date_relabels_the_presale_product(store, work):
    product = next(p for p in store.products() if p["title"] == PRODUCT_TITLE)
    variant = product["variants"]["nodes"][0]["id"]
    case = store.open_case(variant)
    catalogue.refresh_variant_stock(store.shop.id, variant)
    today = db.utcnow().date()
    first, later = today + timedelta(days=4), today + timedelta(days=6)
    set_restock_plan(store.shop.id, "product", product["id"], restock_date=first, reason="supplier_shortage")
    work()
    assert _title(store, product["id"]) == presale_label(first, "zh-CN").apply(PRODUCT_TITLE)

    # The supplier's new date is recorded without re-deciding anything; the slip is what moves the label.
    save_plan(db.session(), store.shop.id, "product", product["id"], later, None, "supplier_shortage", "admin", None)
    db.session().commit()
    work()
    assert _title(store, product["id"]) == presale_label(first, "zh-CN").apply(PRODUCT_TITLE)
    delays.restock_date_slipped(store.shop.id, case.id, first, later)
    work()
    assert _title(store, product["id"]) == presale_label(later, "zh-CN").apply(PRODUCT_TITLE)
