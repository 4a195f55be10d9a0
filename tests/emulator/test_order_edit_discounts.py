"""orderEditAddLineItemDiscount: a staged discount on a calculated line, committed into the order's money."""
import pytest
from tests.emulator.emu_helpers import SHOP, data_of

BEGIN = """mutation($id: ID!) { orderEditBegin(id: $id) {
  calculatedOrder { id lineItems(first: 5) { nodes { id quantity variant { id } } } } userErrors { message } } }"""
ADD = """mutation($id: ID!, $sku: ID!, $qty: Int!) { orderEditAddVariant(id: $id, variantId: $sku, quantity: $qty) {
  calculatedLineItem { id } userErrors { message } } }"""
REMOVE = """mutation($id: ID!, $line: ID!) {
  orderEditSetQuantity(id: $id, lineItemId: $line, quantity: 0, restock: true) { userErrors { message } } }"""
DISCOUNT = """mutation($id: ID!, $line: ID!, $discount: OrderEditAppliedDiscountInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $line, discount: $discount) {
    addedDiscountStagedChange { id description value { __typename ... on MoneyV2 { amount currencyCode }
      ... on PricingPercentageValue { percentage } } }
    calculatedLineItem { id hasStagedLineItemDiscount originalUnitPriceSet { shopMoney { amount } }
      discountedUnitPriceSet { shopMoney { amount } }
      calculatedDiscountAllocations { allocatedAmountSet { shopMoney { amount } }
        discountApplication { allocationMethod targetType description } } }
    calculatedOrder { subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } }
      totalOutstandingSet { shopMoney { amount } } addedDiscountApplications(first: 5) { nodes { id } } }
    userErrors { field message } } }"""
COMMIT = """mutation($id: ID!) { orderEditCommit(id: $id, notifyCustomer: false) { userErrors { message } order {
  displayFinancialStatus currentSubtotalPriceSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } }
  totalOutstandingSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
  discountApplications(first: 5) { nodes { index targetType ... on ManualDiscountApplication { title } } }
  lineItems(first: 5) { nodes { sku currentQuantity originalUnitPriceSet { shopMoney { amount } }
    discountedUnitPriceSet { shopMoney { amount } } totalDiscountSet { shopMoney { amount } }
    discountAllocations { allocatedAmountSet { shopMoney { amount } } discountApplication { index } } } } } } }"""


def _variant(admin, sku: str) -> str:
    query = "query($q: String) { productVariants(first: 1, query: $q) { nodes { id } } }"
    return data_of(admin.graphql(query, q=f"sku:{sku}"))["productVariants"]["nodes"][0]["id"]


def _swap(client, admin, *, ordered: int, substitute: str, shipping: str = "0"):
    """An order for the classic tee, an edit adding `substitute` and taking the tee off: (order, edit, new line)."""
    order = client.post(f"/emulator/shops/{SHOP}/orders", json={
        "lines": [{"sku": "DA-CLASSICCRE-BLK-M", "quantity": ordered}], "shipping": shipping}).json
    begun = data_of(admin.graphql(BEGIN, id=order["admin_graphql_api_id"]))["orderEditBegin"]["calculatedOrder"]
    added = data_of(admin.graphql(ADD, id=begun["id"], sku=_variant(admin, substitute), qty=ordered))
    assert added["orderEditAddVariant"]["userErrors"] == []
    removed = data_of(admin.graphql(REMOVE, id=begun["id"], line=begun["lineItems"]["nodes"][0]["id"]))
    assert removed["orderEditSetQuantity"]["userErrors"] == []
    return order, begun["id"], added["orderEditAddVariant"]["calculatedLineItem"]["id"]


def _amount(bag) -> str:
    return bag["shopMoney"]["amount"]


def test_fixed_discount_covers_a_dearer_substitute(client, admin):
    order, edit, line = _swap(client, admin, ordered=1, substitute="DA-OVERSIZEDP-BLK-M", shipping="12")
    staged = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount={
        "fixedValue": {"amount": "30.00", "currencyCode": "CNY"}, "description": "Price difference"}))[
        "orderEditAddLineItemDiscount"]
    assert staged["userErrors"] == []
    assert staged["addedDiscountStagedChange"]["value"] == {"__typename": "MoneyV2", "amount": "30.0",
                                                            "currencyCode": "CNY"}
    calculated_line = staged["calculatedLineItem"]
    assert calculated_line["hasStagedLineItemDiscount"] is True
    assert (_amount(calculated_line["originalUnitPriceSet"]), _amount(calculated_line["discountedUnitPriceSet"])) \
        == ("129.0", "99.0")
    assert calculated_line["calculatedDiscountAllocations"][0]["discountApplication"] == {
        "allocationMethod": "ACROSS", "targetType": "LINE_ITEM", "description": "Price difference"}
    calculated = staged["calculatedOrder"]
    assert (_amount(calculated["subtotalPriceSet"]), _amount(calculated["totalPriceSet"]),
            _amount(calculated["totalOutstandingSet"])) == ("99.0", "111.0", "0.0")
    assert len(calculated["addedDiscountApplications"]["nodes"]) == 1
    committed = data_of(admin.graphql(COMMIT, id=edit))["orderEditCommit"]["order"]
    assert committed["displayFinancialStatus"] == "PAID"
    assert _amount(committed["currentTotalPriceSet"]) == "111.0"
    assert _amount(committed["totalOutstandingSet"]) == "0.0"
    assert _amount(committed["totalDiscountsSet"]) == "30.0"
    assert committed["discountApplications"]["nodes"] == [
        {"index": 0, "targetType": "LINE_ITEM", "title": "Price difference"}]
    new = next(n for n in committed["lineItems"]["nodes"] if n["sku"] == "DA-OVERSIZEDP-BLK-M")
    assert _amount(new["discountedUnitPriceSet"]) == "99.0" and _amount(new["totalDiscountSet"]) == "30.0"
    assert new["discountAllocations"][0]["discountApplication"] == {"index": 0}
    webhook_body = client.get(f"/emulator/shops/{SHOP}/orders/{order['id']}").json
    assert webhook_body["total_discounts"] == "30.00" and webhook_body["current_total_price"] == "111.00"
    assert webhook_body["discount_applications"][0]["value_type"] == "fixed_amount"
    added_line = next(li for li in webhook_body["line_items"] if li["sku"] == "DA-OVERSIZEDP-BLK-M")
    assert added_line["discount_allocations"] == [{"amount": "30.00", "discount_application_index": 0,
                                                   "amount_set": added_line["discount_allocations"][0]["amount_set"]}]


def test_percentage_discount_leaves_a_refund_owed_and_refunds_at_the_discounted_price(client, admin):
    order, edit, line = _swap(client, admin, ordered=2, substitute="DA-CLASSICCRE-WHT-M")
    staged = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount={"percentValue": 50}))[
        "orderEditAddLineItemDiscount"]
    assert staged["addedDiscountStagedChange"]["value"] == {"__typename": "PricingPercentageValue",
                                                            "percentage": 50.0}
    assert _amount(staged["calculatedOrder"]["totalOutstandingSet"]) == "-99.0"
    committed = data_of(admin.graphql(COMMIT, id=edit))["orderEditCommit"]["order"]
    assert _amount(committed["currentSubtotalPriceSet"]) == "99.0"
    assert _amount(committed["totalOutstandingSet"]) == "-99.0", "the customer is owed the difference"
    new = next(n for n in committed["lineItems"]["nodes"] if n["sku"] == "DA-CLASSICCRE-WHT-M")
    suggestion = data_of(admin.graphql("""query($id: ID!, $lines: [RefundLineItemInput!]) { order(id: $id) {
        suggestedRefund(refundLineItems: $lines) { subtotalSet { shopMoney { amount } } } } }""",
                                       id=order["admin_graphql_api_id"], lines=[
            {"lineItemId": _line_gid(admin, order, "DA-CLASSICCRE-WHT-M"), "quantity": 1}]))
    assert _amount(suggestion["order"]["suggestedRefund"]["subtotalSet"]) == "49.5"
    assert _amount(new["discountedUnitPriceSet"]) == "49.5"


def _line_gid(admin, order, sku: str) -> str:
    nodes = data_of(admin.graphql("query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id sku } } } }",
                                  id=order["admin_graphql_api_id"]))["order"]["lineItems"]["nodes"]
    return next(n["id"] for n in nodes if n["sku"] == sku)


@pytest.mark.parametrize("discount, field, words", [
    ({"percentValue": 10, "fixedValue": {"amount": "5", "currencyCode": "CNY"}}, ["discount"], "Exactly one"),
    ({}, ["discount"], "Exactly one"),
    ({"percentValue": 150}, ["discount", "percentValue"], "at most 100"),
    ({"fixedValue": {"amount": "5", "currencyCode": "USD"}}, ["discount", "fixedValue", "currencyCode"], "CNY"),
    ({"fixedValue": {"amount": "500", "currencyCode": "CNY"}}, ["discount", "fixedValue", "amount"], "unit price"),
])
def test_invalid_discounts_are_user_errors(client, admin, discount, field, words):
    _, edit, line = _swap(client, admin, ordered=1, substitute="DA-OVERSIZEDP-BLK-M")
    answer = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount=discount))["orderEditAddLineItemDiscount"]
    assert answer["addedDiscountStagedChange"] is None
    assert answer["userErrors"][0]["field"] == field and words in answer["userErrors"][0]["message"]


def test_a_line_takes_one_discount_and_removed_lines_none(client, admin):
    _, edit, line = _swap(client, admin, ordered=1, substitute="DA-OVERSIZEDP-BLK-M")
    first = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount={"percentValue": 10}))
    assert first["orderEditAddLineItemDiscount"]["userErrors"] == []
    again = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount={"percentValue": 5}))
    assert "already has a discount" in again["orderEditAddLineItemDiscount"]["userErrors"][0]["message"]
    lines = data_of(admin.graphql("query($id: ID!) { node(id: $id) { ... on CalculatedOrder { lineItems(first: 5) "
                                  "{ nodes { id quantity } } } } }", id=edit))["node"]["lineItems"]["nodes"]
    emptied = next(n["id"] for n in lines if n["quantity"] == 0)
    answer = data_of(admin.graphql(DISCOUNT, id=edit, line=emptied, discount={"percentValue": 10}))
    assert answer["orderEditAddLineItemDiscount"]["userErrors"][0]["field"] == ["lineItemId"]


INVOICE = """mutation($id: ID!, $email: EmailInput) { orderInvoiceSend(id: $id, email: $email) {
  order { id totalOutstandingSet { shopMoney { amount } } } userErrors { field message code } } }"""


def test_an_invoice_collects_the_balance_an_edit_leaves_and_is_refused_when_nothing_is_due(client, admin,
                                                                                           emulator_app):
    order, edit, line = _swap(client, admin, ordered=1, substitute="DA-OVERSIZEDP-BLK-M")
    paid = data_of(admin.graphql(INVOICE, id=order["admin_graphql_api_id"]))["orderInvoiceSend"]
    assert paid["userErrors"] == [{"field": None, "message": "The order has no outstanding balance.",
                                   "code": "ORDER_INVOICE_SEND_UNSUCCESSFUL"}]
    staged = data_of(admin.graphql(DISCOUNT, id=edit, line=line, discount={
        "fixedValue": {"amount": "10.00", "currencyCode": "CNY"}}))["orderEditAddLineItemDiscount"]
    assert staged["userErrors"] == []
    data_of(admin.graphql(COMMIT, id=edit))
    sent = data_of(admin.graphql(INVOICE, id=order["admin_graphql_api_id"], email={"to": "buyer@example.com"}))
    assert sent["orderInvoiceSend"]["userErrors"] == []
    assert _amount(sent["orderInvoiceSend"]["order"]["totalOutstandingSet"]) == "20.0"
    state = client.get(f"/emulator/shops/{SHOP}/orders/{order['id']}").json
    assert state["total_outstanding"] == "20.00"
    invoices = emulator_app.extensions["emulator"].store.shops[SHOP].orders[order["id"]].invoices
    assert [(invoice["to"], invoice["amount"]) for invoice in invoices] == [("buyer@example.com", 20)]
