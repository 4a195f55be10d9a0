"""Orders through the Admin API: reading, refunds with @idempotent, order edits, reconciliation queries."""
import pytest
from tests.emulator.emu_helpers import SHOP, data_of

REFUND = """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "%s") {
  refund { id totalRefundedSet { shopMoney { amount } } }
  order { displayFinancialStatus totalRefundedSet { shopMoney { amount } } }
  userErrors { field message } } }"""
ORDER = """query($id: ID!) { order(id: $id) { id name displayFinancialStatus displayFulfillmentStatus
  currentTotalPriceSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id sku quantity currentQuantity unfulfilledQuantity } }
  transactions { id kind gateway amountSet { shopMoney { amount } } } refunds { id } } }"""
AVAILABLE = """query($id: ID!) { productVariant(id: $id) { inventoryQuantity } }"""


@pytest.fixture
def order(client, seeded):
    answer = client.post(f"/emulator/shops/{SHOP}/orders", json={
        "lines": [{"sku": "DA-CLASSICCRE-BLK-M", "quantity": 3}], "shipping": "12.00"})
    return answer.json


def _read(admin, order_gid):
    return data_of(admin.graphql(ORDER, id=order_gid))["order"]


def _refund_input(order_view, quantity=1, amount="99.00", restock="CANCEL"):
    line, sale = order_view["lineItems"]["nodes"][0], order_view["transactions"][0]
    return {"orderId": order_view["id"], "notify": False,
            "refundLineItems": [{"lineItemId": line["id"], "quantity": quantity, "restockType": restock}],
            "transactions": [{"orderId": order_view["id"], "parentId": sale["id"], "gateway": sale["gateway"],
                              "kind": "REFUND", "amount": amount}]}


def test_order_reads_like_the_admin_api(admin, order):
    view = _read(admin, order["admin_graphql_api_id"])
    assert view["name"] == "#1001" and view["displayFinancialStatus"] == "PAID"
    assert view["displayFulfillmentStatus"] == "UNFULFILLED"
    assert view["currentTotalPriceSet"]["shopMoney"]["amount"] == "309.0"
    assert view["lineItems"]["nodes"][0]["unfulfilledQuantity"] == 3
    assert [t["kind"] for t in view["transactions"]] == ["SALE"]


def test_idempotent_refund_is_applied_once(admin, order):
    view = _read(admin, order["admin_graphql_api_id"])
    variant = f"gid://shopify/ProductVariant/{order['line_items'][0]['variant_id']}"
    stock_before = data_of(admin.graphql(AVAILABLE, id=variant))["productVariant"]["inventoryQuantity"]
    first = data_of(admin.graphql(REFUND % "job-41", input=_refund_input(view)))["refundCreate"]
    again = data_of(admin.graphql(REFUND % "job-41", input=_refund_input(view)))["refundCreate"]
    assert first["userErrors"] == [] and again["refund"]["id"] == first["refund"]["id"]
    after = _read(admin, view["id"])
    assert len(after["refunds"]) == 1 and [t["kind"] for t in after["transactions"]] == ["SALE", "REFUND"]
    assert after["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert after["lineItems"]["nodes"][0]["currentQuantity"] == 2
    stock_after = data_of(admin.graphql(AVAILABLE, id=variant))["productVariant"]["inventoryQuantity"]
    assert stock_after == stock_before + 1, "restocked once, not twice"


def test_refund_without_key_is_an_error(admin, order):
    view = _read(admin, order["admin_graphql_api_id"])
    answer = admin.graphql(REFUND.replace(' @idempotent(key: "%s")', ""), input=_refund_input(view))
    assert "@idempotent directive is required" in answer["errors"][0]["message"]
    assert _read(admin, view["id"])["refunds"] == []


def test_same_key_with_other_parameters_is_refused(admin, order):
    view = _read(admin, order["admin_graphql_api_id"])
    data_of(admin.graphql(REFUND % "k", input=_refund_input(view)))
    other = data_of(admin.graphql(REFUND % "k", input=_refund_input(view, amount="50.00")))["refundCreate"]
    assert other["refund"] is None and "different parameters" in other["userErrors"][0]["message"]


@pytest.mark.parametrize("quantity, amount, field, words", [
    (4, "99.00", ["refundLineItems", "0", "quantity"], "more items than were purchased"),
    (1, "400.00", ["transactions", "0", "amount"], "refundable amount"),
])
def test_refund_limits_are_user_errors(admin, order, quantity, amount, field, words):
    view = _read(admin, order["admin_graphql_api_id"])
    result = data_of(admin.graphql(REFUND % f"limit-{quantity}", input=_refund_input(view, quantity, amount)))
    errors = result["refundCreate"]["userErrors"]
    assert errors[0]["field"] == field and words in errors[0]["message"]
    assert result["refundCreate"]["refund"] is None and _read(admin, view["id"])["refunds"] == []


def test_full_refund_from_suggested_refund(admin, order):
    suggestion = data_of(admin.graphql("""query($id: ID!) { order(id: $id) { suggestedRefund(suggestFullRefund: true) {
        amountSet { shopMoney { amount } } suggestedTransactions { gateway parentTransaction { id }
        amountSet { shopMoney { amount } } } refundLineItems { quantity lineItem { id } } } } }""",
                                        id=order["admin_graphql_api_id"]))["order"]["suggestedRefund"]
    assert suggestion["amountSet"]["shopMoney"]["amount"] == "309.0"
    tx = suggestion["suggestedTransactions"][0]
    refund = data_of(admin.graphql(REFUND % "full", input={
        "orderId": order["admin_graphql_api_id"], "shipping": {"fullRefund": True},
        "refundLineItems": [{"lineItemId": li["lineItem"]["id"], "quantity": li["quantity"]}
                            for li in suggestion["refundLineItems"]],
        "transactions": [{"orderId": order["admin_graphql_api_id"], "parentId": tx["parentTransaction"]["id"],
                          "gateway": tx["gateway"], "kind": "REFUND", "amount": tx["amountSet"]["shopMoney"]["amount"]}]
    }))["refundCreate"]
    assert refund["userErrors"] == [] and refund["order"]["displayFinancialStatus"] == "REFUNDED"


def test_order_edit_swaps_a_line_for_a_substitute(admin, order, wired_receiver):
    receiver, emulator = wired_receiver
    substitute = data_of(admin.graphql('{ productVariants(first: 1, query: "sku:DA-CLASSICCRE-WHT-M") '
                                       '{ nodes { id inventoryQuantity } } }'))["productVariants"]["nodes"][0]
    begin = data_of(admin.graphql("""mutation($id: ID!) { orderEditBegin(id: $id) {
        calculatedOrder { id lineItems(first: 5) { nodes { id quantity } } } userErrors { message } } }""",
                                  id=order["admin_graphql_api_id"]))["orderEditBegin"]
    calculated = begin["calculatedOrder"]["id"]
    old_line = begin["calculatedOrder"]["lineItems"]["nodes"][0]["id"]
    added = data_of(admin.graphql("""mutation($id: ID!, $v: ID!) { orderEditAddVariant(id: $id, variantId: $v,
        quantity: 3) { calculatedLineItem { id quantity } userErrors { message } } }""", id=calculated,
                                  v=substitute["id"]))["orderEditAddVariant"]
    assert added["userErrors"] == [] and added["calculatedLineItem"]["quantity"] == 3
    removed = data_of(admin.graphql("""mutation($id: ID!, $line: ID!) { orderEditSetQuantity(id: $id,
        lineItemId: $line, quantity: 0, restock: true) { calculatedOrder { totalPriceSet { shopMoney { amount } } }
        userErrors { message } } }""", id=calculated, line=old_line))["orderEditSetQuantity"]
    assert removed["userErrors"] == []
    committed = data_of(admin.graphql("""mutation($id: ID!) { orderEditCommit(id: $id, notifyCustomer: false) {
        order { lineItems(first: 5) { nodes { sku currentQuantity } } } userErrors { message } } }""",
                                      id=calculated))["orderEditCommit"]
    lines = {n["sku"]: n["currentQuantity"] for n in committed["order"]["lineItems"]["nodes"]}
    assert lines == {"DA-CLASSICCRE-BLK-M": 0, "DA-CLASSICCRE-WHT-M": 3}
    after = data_of(admin.graphql(AVAILABLE, id=substitute["id"]))["productVariant"]["inventoryQuantity"]
    assert after == substitute["inventoryQuantity"] - 3
    again = data_of(admin.graphql("""mutation($id: ID!) { orderEditCommit(id: $id) { userErrors { message } } }""",
                                  id=calculated))["orderEditCommit"]
    assert "already been committed" in again["userErrors"][0]["message"]
    assert emulator.dispatcher.wait_idle(5)
    assert {"orders/edited", "orders/updated"} <= set(receiver.topics())


def test_fulfilled_lines_cannot_be_reduced(admin, client, order):
    client.post(f"/emulator/shops/{SHOP}/orders/{order['id']}/fulfill")
    begin = data_of(admin.graphql("""mutation($id: ID!) { orderEditBegin(id: $id) {
        calculatedOrder { id lineItems(first: 5) { nodes { id editableQuantity } } } } }""",
                                  id=order["admin_graphql_api_id"]))["orderEditBegin"]["calculatedOrder"]
    assert begin["lineItems"]["nodes"][0]["editableQuantity"] == 0
    answer = data_of(admin.graphql("""mutation($id: ID!, $line: ID!) { orderEditSetQuantity(id: $id,
        lineItemId: $line, quantity: 1) { userErrors { field message } } }""", id=begin["id"],
                                   line=begin["lineItems"]["nodes"][0]["id"]))["orderEditSetQuantity"]
    assert answer["userErrors"][0]["field"] == ["quantity"]


def test_orders_since_a_timestamp_sorted_by_update(admin, client, seeded, emulator_app):
    for _ in range(5):
        client.post(f"/emulator/shops/{SHOP}/orders", json={"lines": [{"sku": "DA-PULLOVERHO-BLK-L"}]})
    query = """query($q: String, $after: String) { orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) {
        nodes { name updatedAt } pageInfo { hasNextPage endCursor } } ordersCount(query: $q) { count precision } }"""
    since = "updated_at:>='2020-01-01T00:00:00Z'"
    names, after = [], None
    while True:
        page = data_of(admin.graphql(query, q=since, after=after))
        names += [n["name"] for n in page["orders"]["nodes"]]
        if not page["orders"]["pageInfo"]["hasNextPage"]:
            break
        after = page["orders"]["pageInfo"]["endCursor"]
    assert names == ["#1001", "#1002", "#1003", "#1004", "#1005"]
    assert page["ordersCount"] == {"count": 5, "precision": "EXACT"}
    future = data_of(admin.graphql(query, q="created_at:>='2099-01-01'"))
    assert future["orders"]["nodes"] == [] and future["ordersCount"]["count"] == 0


@pytest.fixture
def wired_receiver(client, receiver, emulator_app, seeded):
    client.post("/emulator/app", json={"app_url": receiver.url})
    return receiver, emulator_app.extensions["emulator"]
