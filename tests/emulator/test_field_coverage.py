"""Every modelled scalar field of the main types resolves without error (no half-modelled fields)."""
import pytest
from tests.emulator.emu_helpers import SHOP, data_of
from graphql import get_named_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Undefined

from emulator.resolvers import registry


def _leaves(schema, type_name: str) -> str:
    """All leaf fields of `type_name` that the emulator models and that need no arguments."""
    reg, fields = registry(), schema.get_type(type_name).fields
    chosen = [name for name, field in fields.items()
              if reg.get(type_name, name) and is_leaf_type(get_named_type(field.type))
              and not any(_required(arg) for arg in field.args.values())
              and not field.deprecation_reason]
    return " ".join(chosen)


def _required(arg) -> bool:
    return is_non_null_type(arg.type) and arg.default_value is Undefined and not arg.ast_node.default_value


@pytest.fixture
def activity(client, seeded, admin):
    """An order with a refund, an edit and a discount, so every object type has something to show."""
    order = client.post(f"/emulator/shops/{SHOP}/orders", json={"lines": [{"sku": "DA-LIMITEDCOL-BLK-M",
                                                                           "quantity": 2}], "shipping": "10"}).json
    admin.graphql("""mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "cov") {
        userErrors { message } } }""", input={"orderId": order["admin_graphql_api_id"], "refundLineItems": [
        {"lineItemId": order["line_items"][0]["admin_graphql_api_id"], "quantity": 1, "restockType": "CANCEL"}]})
    admin.graphql("""mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "t", code: "COV",
        startsAt: "2026-01-01T00:00:00Z", customerGets: {value: {discountAmount: {amount: "20"}},
        items: {all: true}}}) { userErrors { message } } }""")
    admin.graphql("""mutation { metafieldsSet(metafields: [{ownerId: "%s", namespace: "stockout",
        key: "restock_date", value: "2026-12-01", type: "date"}]) { userErrors { message } } }"""
                  % order["line_items"][0]["admin_graphql_api_id"].replace("LineItem", "Product").replace(
                      str(order["line_items"][0]["id"]), str(order["line_items"][0]["product_id"])))
    return order


def test_all_modelled_leaf_fields_resolve(admin, emulator_app, activity):
    schema = emulator_app.extensions["emulator"].schema("2026-07")

    def leaves(name):
        return _leaves(schema, name)
    query = f"""query($order: ID!, $product: ID!) {{
      shop {{ {leaves("Shop")} primaryDomain {{ {leaves("Domain")} }} }}
      locations(first: 5) {{ nodes {{ {leaves("Location")} address {{ {leaves("LocationAddress")} }} }} }}
      publications(first: 5) {{ nodes {{ {leaves("Publication")} catalog {{ title }} }} }}
      product(id: $product) {{ {leaves("Product")} metafields(first: 5) {{ nodes {{ {leaves("Metafield")} }} }}
        variants(first: 5) {{ nodes {{ {leaves("ProductVariant")} selectedOptions {{ name value }}
          inventoryItem {{ {leaves("InventoryItem")} inventoryLevels(first: 5) {{ nodes {{ {leaves("InventoryLevel")}
            quantities(names: ["available", "on_hand", "committed", "incoming"]) {{ {leaves("InventoryQuantity")} }}
          }} }} }} }} }} }}
      order(id: $order) {{ {leaves("Order")} customer {{ id }} totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
        lineItems(first: 5) {{ nodes {{ {leaves("LineItem")} }} }}
        transactions {{ {leaves("OrderTransaction")} parentTransaction {{ id }} }}
        refunds {{ {leaves("Refund")} refundLineItems(first: 5) {{ nodes {{ {leaves("RefundLineItem")} }} }}
          transactions(first: 5) {{ nodes {{ id }} }} }} }}
      customers(first: 3) {{ nodes {{ {leaves("Customer")} defaultEmailAddress {{ {leaves("CustomerEmailAddress")} }}
        defaultPhoneNumber {{ phoneNumber }} }} }}
      codeDiscountNodeByCode(code: "COV") {{ id codeDiscount {{ ... on DiscountCodeBasic {{
        {leaves("DiscountCodeBasic")} customerGets {{ value {{ ... on DiscountAmount {{ amount {{ amount }}
        appliesOnEachItem }} }} }} }} }} }}
    }}"""
    product = f"gid://shopify/Product/{activity['line_items'][0]['product_id']}"
    data = data_of(admin.graphql(query, order=activity["admin_graphql_api_id"], product=product))
    assert data["order"]["refunds"][0]["refundLineItems"]["nodes"][0]["quantity"] == 1
    assert data["product"]["metafields"]["nodes"][0]["jsonValue"] == "2026-12-01"
    assert data["codeDiscountNodeByCode"]["codeDiscount"]["customerGets"]["value"]["amount"]["amount"] == "20.0"
