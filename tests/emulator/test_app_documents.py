"""Every named document the app sends (app/shopify/documents.py) is modelled, and runs on the seeded demo shop."""
import pytest
from tests.emulator.emu_helpers import SHOP, Admin, data_of, make_app

from app.shopify import documents as app_documents
from emulator import documents, schema
from emulator.resolvers import registry

NAMES = sorted(name for name, text in vars(app_documents).items()
               if name.isupper() and isinstance(text, str) and text.lstrip().startswith(("query", "mutation")))
QUERIES = [name for name in NAMES if getattr(app_documents, name).lstrip().startswith("query")]
MUTATIONS = [name for name in NAMES if name not in QUERIES]
SINCE = "updated_at:>='2020-01-01T00:00:00Z'"


class World:
    """The seeded shop as the app meets it: an order from a customer, refunded in part, and a discount code."""

    def __init__(self, app):
        self.app, client = app, app.test_client()
        client.post("/emulator/seed", json={})
        self.admin = Admin(client, client.post(f"/emulator/shops/{SHOP}/install", json={}).json["access_token"])
        self.product, self.variant = self._variant("DA-CLASSICCRE-BLK-M")
        _, self.substitute = self._variant("DA-OVERSIZEDP-BLK-M")
        store = app.extensions["emulator"].store
        shop = store.shops[SHOP]
        self.customer_id = sorted(shop.customers)[0]
        variant = shop.variants[int(self.variant.rsplit("/", 1)[1])]
        self.item = f"gid://shopify/InventoryItem/{variant.inventory_item_id}"
        self.publication = f"gid://shopify/Publication/{shop.online_store().id}"
        placed = client.post(f"/emulator/shops/{SHOP}/orders", json={
            "customer_id": self.customer_id, "lines": [{"sku": "DA-CLASSICCRE-BLK-M", "quantity": 2}],
            "shipping": "12"}).json
        self.order, self.line = placed["admin_graphql_api_id"], placed["line_items"][0]["admin_graphql_api_id"]

    def _variant(self, sku: str) -> tuple[str, str]:
        node = data_of(self.admin.graphql('query($q: String) { productVariants(first: 1, query: $q) { nodes { id '
                                          'product { id } } } }', q=f"sku:{sku}"))["productVariants"]["nodes"][0]
        return node["product"]["id"], node["id"]

    def run(self, name: str, **variables) -> dict:
        """The document's data; any error (emulator gap, wrong variable, resolver failure) fails the test."""
        response = self.admin.post(getattr(app_documents, name), variables)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer = response.json
        assert "errors" not in answer, (name, answer["errors"])
        return answer["data"]

    def mutate(self, name: str, **variables) -> dict:
        """The mutation's payload, which must come back without userErrors."""
        payload = next(iter(self.run(name, **variables).values()))
        assert payload["userErrors"] == [], (name, payload["userErrors"])
        return payload

    def refund_one(self) -> dict:
        sale = self.app.extensions["emulator"].store.shops[SHOP].orders[int(self.order.rsplit("/", 1)[1])]
        parent = f"gid://shopify/OrderTransaction/{sale.transaction_ids[0]}"
        return {"input": {"orderId": self.order, "refundLineItems": [{"lineItemId": self.line, "quantity": 1,
                                                                       "restockType": "CANCEL"}],
                          "transactions": [{"orderId": self.order, "parentId": parent, "gateway": "bogus",
                                            "kind": "REFUND", "amount": "99.00"}]},
                "idempotencyKey": f"refund:{self.order}"}

    def discount(self, code: str) -> dict:
        return {"title": "Sorry for the wait", "code": code, "startsAt": "2026-01-01T00:00:00Z", "usageLimit": 1,
                "context": {"customers": {"add": [f"gid://shopify/Customer/{self.customer_id}"]}},
                "customerGets": {"value": {"discountAmount": {"amount": "20"}}, "items": {"all": True}}}

    def edit(self) -> tuple[str, str]:
        begun = self.mutate("ORDER_EDIT_BEGIN", id=self.order)["calculatedOrder"]
        return begun["id"], begun["lineItems"]["nodes"][0]["id"]

    def edit_with_substitute(self) -> tuple[str, str]:
        edit, _ = self.edit()
        added = self.mutate("ORDER_EDIT_ADD_VARIANT", id=edit, variantId=self.substitute, quantity=1)
        return edit, added["calculatedLineItem"]["id"]


QUERY_VARIABLES = {
    "SHOP_FACTS": lambda w: {}, "SHOP_LOCATIONS": lambda w: {}, "PUBLICATIONS": lambda w: {},
    "WEBHOOK_SUBSCRIPTIONS": lambda w: {},
    "PRODUCT_FOR_CATALOGUE": lambda w: {"id": w.product, "publicationId": w.publication, "namespace": "stockout",
                                        "key": "restock_date"},
    "PRODUCT_CATALOGUE_STATE": lambda w: {"id": w.product, "publicationId": w.publication},
    "VARIANT_INVENTORY_LEVELS": lambda w: {"id": w.variant},
    "VARIANT_RESTOCK_STATE": lambda w: {"id": w.variant},
    "INVENTORY_ITEM_LEVELS": lambda w: {"id": w.item},
    "PRODUCTS_UPDATED_SINCE": lambda w: {"query": SINCE},
    "PRODUCTS_FOR_RECONCILIATION": lambda w: {"query": SINCE},
    "VARIANTS_FOR_RECONCILIATION": lambda w: {"query": SINCE},
    "ORDERS_UPDATED_SINCE": lambda w: {"query": SINCE},
    "SUBSTITUTE_CANDIDATES": lambda w: {"productId": w.product,
                                        "sameTypeQuery": "product_type:'T恤' product_status:active"},
    "SUBSTITUTES_FOR_OFFER": lambda w: {"productId": w.product, "sameTypeQuery": "product_type:'T恤' status:active"},
    "ORDER_FOR_CASE": lambda w: {"id": w.order},
    "ORDER_FOR_CHOICE": lambda w: {"id": w.order},
    "ORDER_FOR_RECONCILIATION": lambda w: {"id": w.order},
    "ORDER_REFUND_SUGGESTION": lambda w: {"id": w.order, "suggestFullRefund": False, "refundShipping": True,
                                          "refundLineItems": [{"lineItemId": w.line, "quantity": 1,
                                                               "restockType": "CANCEL"}]},
    "ORDERS_OF_BUYER_SINCE": lambda w: {"query": f"customer_id:{w.customer_id} "
                                                 "created_at:>='2020-01-01T00:00:00+00:00'"},
    "DISCOUNT_CODE_BY_CODE": lambda w: {"code": "sorry-world"},
}


@pytest.fixture(scope="module")
def world(shared_dir):
    app = make_app(shared_dir)
    found = World(app)
    found.mutate("REFUND_CREATE", **found.refund_one())
    found.mutate("DISCOUNT_CODE_BASIC_CREATE", basicCodeDiscount=found.discount("SORRY-WORLD"))
    yield found
    app.extensions["emulator"].close()


@pytest.mark.parametrize("name", NAMES)
def test_document_asks_only_for_what_the_emulator_models(shared_dir, name):
    prepared = documents.prepare(schema.load(shared_dir, "2026-07"), registry(), getattr(app_documents, name))
    assert prepared.errors == (), [error["message"] for error in prepared.errors]


@pytest.mark.parametrize("name", QUERIES)
def test_query_runs_on_the_seeded_shop(world, name):
    if name not in QUERY_VARIABLES:
        pytest.skip(f"no seed variables for {name}; add them to QUERY_VARIABLES in {__name__}")
    data = world.run(name, **QUERY_VARIABLES[name](world))
    assert all(value is not None for value in data.values()), data


def test_order_for_case_shows_presentment_money_in_the_order_currency(world):
    order = world.run("ORDER_FOR_CASE", id=world.order)["order"]
    assert order["currencyCode"] == order["presentmentCurrencyCode"] == "CNY"
    assert order["totalPriceSet"]["presentmentMoney"] == {"amount": "210.0", "currencyCode": "CNY"}
    assert order["totalPriceSet"]["shopMoney"] == order["totalPriceSet"]["presentmentMoney"]


def test_reads_find_what_the_app_looks_for(world):
    buyer = world.run("ORDERS_OF_BUYER_SINCE", **QUERY_VARIABLES["ORDERS_OF_BUYER_SINCE"](world))["orders"]["nodes"]
    assert [node["id"] for node in buyer] == [world.order]
    offer = world.run("SUBSTITUTES_FOR_OFFER", **QUERY_VARIABLES["SUBSTITUTES_FOR_OFFER"](world))
    assert {node["productType"] for node in offer["products"]["nodes"]} == {"T恤"}
    code = world.run("DISCOUNT_CODE_BY_CODE", code="SORRY-WORLD")["codeDiscountNodeByCode"]
    assert code["codeDiscount"]["codes"]["nodes"] == [{"code": "SORRY-WORLD"}]
    refunded = world.run("ORDER_FOR_RECONCILIATION", id=world.order)["order"]
    assert refunded["refunds"][0]["refundLineItems"]["nodes"][0]["quantity"] == 1


MUTATION_STEPS = {
    "PRODUCT_UPDATE": lambda w: w.mutate("PRODUCT_UPDATE", product={"id": w.product, "status": "DRAFT"}),
    "PRODUCT_VARIANTS_BULK_UPDATE": lambda w: w.mutate("PRODUCT_VARIANTS_BULK_UPDATE", productId=w.product,
                                                       variants=[{"id": w.variant, "inventoryPolicy": "CONTINUE"}]),
    "TAGS_ADD": lambda w: w.mutate("TAGS_ADD", id=w.order, tags=["stockout-priority"]),
    "TAGS_REMOVE": lambda w: w.mutate("TAGS_REMOVE", id=w.product, tags=["基础款"]),
    "PUBLISHABLE_UNPUBLISH": lambda w: w.mutate("PUBLISHABLE_UNPUBLISH", id=w.product,
                                                input=[{"publicationId": w.publication}]),
    "PUBLISHABLE_PUBLISH": lambda w: w.mutate("PUBLISHABLE_PUBLISH", id=w.product,
                                              input=[{"publicationId": w.publication}]),
    "METAFIELDS_SET": lambda w: w.mutate("METAFIELDS_SET", metafields=[
        {"ownerId": w.product, "namespace": "stockout", "key": "restock_date", "value": "2026-12-01",
         "type": "date"}]),
    "METAFIELDS_DELETE": lambda w: _set_then_delete(w),
    "DISCOUNT_CODE_BASIC_CREATE": lambda w: w.mutate("DISCOUNT_CODE_BASIC_CREATE",
                                                     basicCodeDiscount=w.discount("SORRY-1")),
    "DISCOUNT_CODE_FREE_SHIPPING_CREATE": lambda w: w.mutate(
        "DISCOUNT_CODE_FREE_SHIPPING_CREATE",
        freeShippingCodeDiscount={k: v for k, v in w.discount("SHIP-1").items() if k != "customerGets"}),
    "REFUND_CREATE": lambda w: w.mutate("REFUND_CREATE", **w.refund_one()),
    "ORDER_EDIT_BEGIN": lambda w: w.edit(),
    "ORDER_EDIT_ADD_VARIANT": lambda w: w.edit_with_substitute(),
    "ORDER_EDIT_SET_QUANTITY": lambda w: w.mutate("ORDER_EDIT_SET_QUANTITY", **_named(w.edit()), quantity=1,
                                                  restock=True),
    "ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT": lambda w: w.mutate(
        "ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT", **_named(w.edit_with_substitute()),
        discount={"fixedValue": {"amount": "30.00", "currencyCode": "CNY"}, "description": "covered"}),
    "ORDER_EDIT_COMMIT": lambda w: _edit_and_commit(w),
    "ORDER_INVOICE_SEND": lambda w: _invoice_the_balance(w),
}


def _named(edit_and_line: tuple[str, str]) -> dict:
    return dict(zip(("id", "lineItemId"), edit_and_line))


def _set_then_delete(w: World) -> dict:
    MUTATION_STEPS["METAFIELDS_SET"](w)
    deleted = w.mutate("METAFIELDS_DELETE", metafields=[{"ownerId": w.product, "namespace": "stockout",
                                                         "key": "restock_date"}])
    assert deleted["deletedMetafields"] == [{"ownerId": w.product, "namespace": "stockout", "key": "restock_date"}]
    return deleted


def _edit_and_commit(w: World) -> dict:
    edit, line = w.edit_with_substitute()
    w.mutate("ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT", id=edit, lineItemId=line,
             discount={"fixedValue": {"amount": "30.00", "currencyCode": "CNY"}})
    return w.mutate("ORDER_EDIT_COMMIT", id=edit, notifyCustomer=False, staffNote="substitute")


def _invoice_the_balance(w: World) -> dict:
    edit, _ = w.edit_with_substitute()
    w.mutate("ORDER_EDIT_COMMIT", id=edit, notifyCustomer=False, staffNote="an added item to pay for")
    return w.mutate("ORDER_INVOICE_SEND", id=w.order, email={"to": "buyer@example.com"})


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutation_runs_on_the_seeded_shop(shared_dir, name):
    if name not in MUTATION_STEPS:
        pytest.skip(f"no seeded scenario for {name}; add one to MUTATION_STEPS in {__name__}")
    app = make_app(shared_dir)
    try:
        assert MUTATION_STEPS[name](World(app)) is not None
    finally:
        app.extensions["emulator"].close()
