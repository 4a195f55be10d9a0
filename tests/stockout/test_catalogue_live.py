"""End to end through the store emulator: presale, delist and restore round trips, dry run, leave alone, flash sale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db
from app.domain.presale_label import PRESALE_TAG, presale_title
from app.models import CatalogueChange, ProductState, ShopSettings, StockoutCase
from app.shopify import documents
from app.shopify.client import client_for
from app.stockout.effects import request_evaluation
from app.stockout.restock_plans import set_restock_plan
from app.stockout.shop_rules import local_date
from tests.conftest import make_settings
from tests.stockout.live import SHOP, Served, Store, settle, visible


@pytest.fixture(scope="module")
def store(shared_dir):
    live = Store(shared_dir)
    yield live
    live.close()


@pytest.fixture
def settings(migrated_database, redis_url, store):
    store.control("POST", "/reset")
    store.control("POST", "/seed")
    return make_settings(migrated_database, redis_url, shopify_api_base_url=store.url)


@pytest.fixture
def shop(app, app_context, store, run_jobs):
    from app.shopify.install import install_from_session_token

    served = Served(app)
    store.control("POST", "/app", app_url=served.url)
    installed = install_from_session_token(store.control("POST", "/session-token", shop=SHOP)["token"])
    run_jobs()
    db.session().refresh(installed)
    assert installed.online_store_publication_id and installed.locations
    yield installed
    served.close()


def product_gid(store, handle: str) -> str:
    shop = store.emulator.store.shop(SHOP)
    return f"gid://shopify/Product/{next(p.id for p in shop.products.values() if p.handle == handle)}"


def sell_out(store, gid: str) -> None:
    """Every variant of the product at 0 available at every location that stocks it."""
    shop = store.emulator.store.shop(SHOP)
    product = shop.products[int(gid.rsplit("/", 1)[-1])]
    for variant_id in product.variant_ids:
        item = shop.variants[variant_id].inventory_item_id
        for level in shop.levels_of(item):
            store.control("POST", store.shop_path("/inventory"), inventory_item_id=item,
                          location_id=level.location_id, available=0)


def restock(store, gid: str) -> None:
    store.control("POST", store.shop_path("/scenarios/restock"), product_id=gid.rsplit("/", 1)[-1], quantity=20)


def state(gid: str) -> ProductState:
    db.session().expire_all()
    return db.session().scalars(select(ProductState).where(ProductState.product_gid == gid)).one()


def changes(gid: str) -> list[CatalogueChange]:
    return list(db.session().scalars(select(CatalogueChange).where(CatalogueChange.product_gid == gid)
                                     .order_by(CatalogueChange.id)))


def test_presale_and_back_keeps_what_the_merchant_changed_in_between(store, shop, run_jobs):
    tote = product_gid(store, "canvas-tote")
    before = visible(store.product(tote))
    ships = local_date(shop, db.utcnow()) + timedelta(days=5)
    set_restock_plan(shop.id, "product", tote, restock_date=ships, reason="supplier_shortage")
    sell_out(store, tote)
    settle(store, run_jobs)

    presale = visible(store.product(tote))
    assert presale["title"] == presale_title(before["title"], ships, shop.locale)
    assert presale["tags"] == sorted(before["tags"] + [PRESALE_TAG])
    assert set(presale["policies"].values()) == {"continue"}
    assert presale["metafields"]["stockout.ship_by"] == ships.isoformat()
    assert (state(tote).state, state(tote).ship_by) == ("presale", ships)
    assert {c.field for c in changes(tote)} == {"title", "tags", "variants", "ship_by"}

    with client_for(shop) as client:
        client.graphql(documents.PRODUCT_UPDATE,
                       product={"id": tote, "title": presale["title"].replace(before["title"], "Canvas Tote XL")})
        client.graphql(documents.TAGS_ADD, id=tote, tags=["summer"])
    settle(store, run_jobs)
    restock(store, tote)
    settle(store, run_jobs)

    after = visible(store.product(tote))
    expected = {**before, "title": "Canvas Tote XL", "tags": sorted(before["tags"] + ["summer"])}
    assert after == expected
    assert (state(tote).state, state(tote).applied_changes) == ("normal", None)


def test_delisted_without_a_restock_date_and_listed_again_exactly(store, shop, run_jobs):
    beanie = product_gid(store, "knit-beanie")
    before = visible(store.product(beanie))
    sell_out(store, beanie)
    settle(store, run_jobs)
    assert visible(store.product(beanie)) == {**before, "published": False}
    assert (state(beanie).state, state(beanie).reason) == ("delisted", "restock_unknown")

    restock(store, beanie)
    settle(store, run_jobs)
    assert visible(store.product(beanie)) == before
    assert [c.action for c in changes(beanie)] == ["delist", "restore"]


def test_dry_run_records_what_it_would_do_and_changes_nothing(store, shop, run_jobs):
    db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop.id)).one().dry_run = True
    db.session().commit()
    belt = product_gid(store, "leather-belt")
    before = visible(store.product(belt))
    sell_out(store, belt)
    settle(store, run_jobs)
    assert visible(store.product(belt)) == before
    recorded = changes(belt)
    assert [(c.field, c.dry_run, c.after) for c in recorded] == [("published_on_online_store", True, False)]
    assert state(belt).applied_changes is None


def test_a_product_left_alone_is_never_touched(store, shop, run_jobs):
    scarf = product_gid(store, "cashmere-scarf")
    db.session().add(ProductState(shop_id=shop.id, product_gid=scarf, leave_alone=True))
    db.session().commit()
    before = visible(store.product(scarf))
    sell_out(store, scarf)
    settle(store, run_jobs)
    assert visible(store.product(scarf)) == before
    assert changes(scarf) == []


def test_a_flash_sale_opens_exactly_one_case_per_oversold_order_and_a_supplier_delay_dates_them(
    store, shop, run_jobs
):
    settle(store, run_jobs)
    sale = store.control("POST", store.shop_path("/scenarios/flash-sale"), orders=12)
    assert sale["oversold_orders"] > 0
    settle(store, run_jobs)
    db.session().expire_all()
    cases = db.session().scalars(select(StockoutCase).where(StockoutCase.status == "open")).all()
    oversold = sale["order_ids"][-sale["oversold_orders"]:]
    assert sorted(c.order_gid for c in cases) == sorted(oversold)
    assert all(sum(line.quantity_short for line in c.lines) == 1 for c in cases)
    assert {c.restock_date for c in cases} == {None}

    tee = cases[0].lines[0].product_gid
    delay = store.control("POST", store.shop_path("/scenarios/supplier-delay"), product_id=tee.rsplit("/", 1)[-1],
                          days=5)
    request_evaluation(shop.id, tee)
    settle(store, run_jobs)
    db.session().expire_all()
    dated = db.session().scalars(select(StockoutCase.restock_date).where(StockoutCase.status == "open")).all()
    assert {day.isoformat() for day in dated} == {delay["restock_date"]}
    assert state(tee).state == "presale"
