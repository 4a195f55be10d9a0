"""Seeded demo shop and the store-side scenarios: flash sale, supplier delay, restock."""
import json

from tests.emulator.emu_helpers import SHOP, data_of, wait_for

from emulator.clock import SystemClock
from emulator.costs import Bucket
from emulator.scenarios import flash_sale
from emulator.seed import seed_demo
from emulator.store import Store

VARIANT = "query($id: ID!) { productVariant(id: $id) { inventoryQuantity product { id } } }"


def test_demo_shop_is_a_chinese_clothing_store(admin, seeded):
    assert seeded["products"] >= 30 and seeded["customers"] == 20 and len(seeded["locations"]) == 3
    customers = data_of(admin.graphql("""{ customers(first: 50) { nodes { locale
        defaultPhoneNumber { phoneNumber } defaultEmailAddress { marketingState } } } }"""))["customers"]["nodes"]
    assert {c["locale"] for c in customers} == {"zh-CN", "zh-TW", "en"}
    phones = [c["defaultPhoneNumber"]["phoneNumber"] for c in customers if c["defaultPhoneNumber"]]
    assert phones and all(p.startswith("+") and p[1:].isdigit() for p in phones)
    low = data_of(admin.graphql('{ productVariants(first: 250, query: "inventory_quantity:<=3") { nodes { id } } }'))
    assert len(low["productVariants"]["nodes"]) >= 5


def test_flash_sale_oversells_and_announces_stockout(wired, client, receiver, seeded, admin):
    before = data_of(admin.graphql(VARIANT, id=seeded["flash_sale_variant"]))["productVariant"]["inventoryQuantity"]
    result = client.post(f"/emulator/shops/{SHOP}/scenarios/flash-sale", json={"orders": 12}).json
    assert result["orders"] == 12 and result["available_before"] == before == 5
    assert result["available_after"] == -7 and result["oversold_units"] == 7 and result["oversold_orders"] == 7
    after = data_of(admin.graphql(VARIANT, id=seeded["flash_sale_variant"]))["productVariant"]["inventoryQuantity"]
    assert after == -7
    wait_for(wired)
    topics = receiver.topics()
    assert topics.count("orders/create") == 12 and topics.count("variants/out_of_stock") == 1
    levels = [json.loads(r["body"])["available"] for r in receiver.requests
              if r["headers"]["X-Shopify-Topic"] == "inventory_levels/update"]
    assert levels == list(range(4, -8, -1))


def test_supplier_delay_moves_the_restock_date_out(client, seeded, admin):
    product = data_of(admin.graphql(VARIANT, id=seeded["flash_sale_variant"]))["productVariant"]["product"]["id"]
    first = client.post(f"/emulator/shops/{SHOP}/scenarios/supplier-delay",
                        json={"product_id": product, "days": 10}).json
    second = client.post(f"/emulator/shops/{SHOP}/scenarios/supplier-delay",
                         json={"product_id": product, "days": 7}).json
    assert second["previous_restock_date"] == first["restock_date"] and second["restock_date"] > first["restock_date"]
    read = ('query($id: ID!) { product(id: $id) { '
            'metafield(namespace: "stockout", key: "restock_date") { value type } } }')
    assert data_of(admin.graphql(read, id=product))["product"]["metafield"] == {"value": second["restock_date"],
                                                                                "type": "date"}


def test_restock_brings_a_sold_out_variant_back(wired, client, receiver, seeded):
    client.post(f"/emulator/shops/{SHOP}/scenarios/flash-sale", json={"orders": 6})
    wait_for(wired)
    receiver.requests.clear()
    result = client.post(f"/emulator/shops/{SHOP}/scenarios/restock",
                         json={"variant_id": seeded["flash_sale_variant"], "quantity": 10}).json
    assert result["variants"] == [{"id": seeded["flash_sale_variant"], "available": 9}]
    wait_for(wired)
    assert receiver.topics() == ["inventory_levels/update", "variants/in_stock"]
    assert json.loads(receiver.requests[1]["body"])["inventory_quantity"] == 9


def test_a_ten_thousand_order_flash_sale_oversells_all_but_the_stock():
    clock = SystemClock()
    store = Store(clock, lambda: Bucket(2000.0, 100.0, clock))
    seed_demo(store)
    result = flash_sale(store, store.shop(SHOP), orders=10_000)
    assert result["oversold_units"] == 9_995


def test_flash_sale_over_several_variants_with_a_buyer_per_order(client, seeded):
    shop = client.application.extensions["emulator"].store.shop(SHOP)
    tees = [v for v in shop.variants.values() if shop.variant_available(v) >= 2][:3]
    stock = {v.id: shop.variant_available(v) for v in tees}
    result = client.post(f"/emulator/shops/{SHOP}/scenarios/flash-sale", json={
        "orders": 40, "variant_ids": [f"gid://shopify/ProductVariant/{v.id}" for v in tees],
        "buyer_prefix": "flash", "phone_every": 10}).json
    per_variant = {int(v["id"].rsplit("/", 1)[1]): v for v in result["variants"]}
    assert sum(v["orders"] for v in per_variant.values()) == 40
    for variant_id, found in per_variant.items():
        assert found["available_after"] == stock[variant_id] - found["orders"]
        assert found["oversold_orders"] == max(0, found["orders"] - stock[variant_id])
    assert result["oversold_orders"] == sum(v["oversold_orders"] for v in per_variant.values())
    orders = [shop.orders[int(gid.rsplit("/", 1)[1])] for gid in result["order_ids"]]
    assert [o.email for o in orders] == [f"flash-{n}@example.com" for n in range(40)]
    assert [n for n, o in enumerate(orders) if o.phone] == [0, 10, 20, 30]


def test_state_and_control_endpoints(client, seeded):
    order = client.post(f"/emulator/shops/{SHOP}/orders", json={"lines": [{"sku": "DA-LIMITEDCOL-BLK-S"}]}).json
    assert client.get(f"/emulator/shops/{SHOP}/orders/{order['id']}").json["name"] == "#1001"
    adjusted = client.post(f"/emulator/shops/{SHOP}/inventory", json={"sku": "DA-LIMITEDCOL-BLK-S", "delta": 5}).json
    assert adjusted["available"] == 7 and adjusted["committed"] == 1
    missing = client.post(f"/emulator/shops/{SHOP}/orders", json={"lines": [{"sku": "NO-SUCH-SKU"}]})
    assert missing.status_code == 404
    cancelled = client.post(f"/emulator/shops/{SHOP}/orders/{order['id']}/cancel", json={}).json
    assert cancelled["cancel_reason"] == "customer" and cancelled["cancelled_at"]
    assert client.post("/emulator/reset").json == {"ok": True}
    assert client.get(f"/emulator/shops/{SHOP}/stats").json["installed"] is False
