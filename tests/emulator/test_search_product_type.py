"""Search by product type on productVariants and products, alone and with the other supported terms."""
from tests.emulator.emu_helpers import SHOP, data_of

VARIANTS = """query($q: String) { productVariants(first: 100, query: $q) { nodes { id sku inventoryQuantity
  product { id productType status } } } }"""
PRODUCTS = """query($q: String) { products(first: 50, query: $q) { nodes { id handle productType status } } }"""


def _variants(admin, query: str) -> list[dict]:
    return data_of(admin.graphql(VARIANTS, q=query))["productVariants"]["nodes"]


def _products(admin, query: str) -> list[dict]:
    return data_of(admin.graphql(PRODUCTS, q=query))["products"]["nodes"]


def test_variants_by_product_type_are_every_variant_of_those_products(admin):
    tees = _products(admin, "product_type:T恤")
    assert {p["handle"] for p in tees} == {"limited-collab-tee", "classic-crew-tee", "oversized-print-tee",
                                           "breton-stripe-tee", "summer-tank"}
    found = _variants(admin, "product_type:'T恤'")
    assert {v["product"]["id"] for v in found} == {p["id"] for p in tees}
    assert len(found) == 3 + 12 + 8 + 8 + 8
    assert _variants(admin, "product_type:T") == [], "a type matches whole, not by prefix"
    others = {v["product"]["productType"] for v in _variants(admin, "-product_type:T恤")}
    assert "T恤" not in others and {"Polo衫", "卫衣"} <= others


def test_product_type_combines_with_stock_and_product_terms(admin, client):
    sold_out = "DA-CLASSICCRE-GRY-S"
    levels = data_of(admin.graphql('{ locations(first: 5) { nodes { id } } }'))["locations"]["nodes"]
    for location in levels:
        client.post(f"/emulator/shops/{SHOP}/inventory", json={"sku": sold_out, "location_id": location["id"],
                                                                "available": 0})
    in_stock = _variants(admin, "product_type:T恤 inventory_quantity:>0")
    assert in_stock and all(v["inventoryQuantity"] > 0 for v in in_stock)
    assert sold_out not in {v["sku"] for v in in_stock}
    everything = {v["sku"] for v in _variants(admin, "product_type:T恤")}
    assert {v["sku"] for v in in_stock} == everything - {v["sku"] for v in _variants(
        admin, "product_type:T恤 inventory_quantity:<=0")}
    classic = next(v["product"]["id"] for v in in_stock if v["sku"].startswith("DA-CLASSICCRE"))
    numeric = classic.rsplit("/", 1)[1]
    one_product = _variants(admin, f"product_type:T恤 product_id:{numeric} inventory_quantity:>0")
    assert {v["sku"] for v in one_product} == {v["sku"] for v in in_stock if v["product"]["id"] == classic}
    assert len(one_product) < 12, "the sold-out classic tee is left out"
    assert _variants(admin, f"product_type:卫衣 product_id:{numeric}") == []


def test_comma_lists_and_case_follow_shopifys_filters(admin):
    either = _variants(admin, "product_type:T恤,卫衣")
    assert {v["product"]["productType"] for v in either} == {"T恤", "卫衣"}
    assert len(_variants(admin, "product_type:polo衫")) == len(_variants(admin, "product_type:Polo衫")) == 8
    draft = _variants(admin, "product_type:外套 product_status:draft,archived")
    assert {v["product"]["status"] for v in draft} == {"DRAFT", "ARCHIVED"}
    assert {p["status"] for p in _products(admin, "product_type:外套 status:active,draft")} == {"ACTIVE", "DRAFT"}
    offer = _products(admin, "product_type:'T恤' status:active")
    assert len(offer) == 5 and {p["productType"] for p in offer} == {"T恤"}
