"""discountCodeFreeShippingCreate: the same code space and rules as basic codes, read back where they are."""
import pytest
from tests.emulator.emu_helpers import data_of

FREE = """mutation($d: DiscountCodeFreeShippingInput!) { discountCodeFreeShippingCreate(freeShippingCodeDiscount: $d) {
  codeDiscountNode { id } userErrors { field message code } } }"""
BASIC = """mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) {
  codeDiscountNode { id } userErrors { field message code } } }"""
READ = """query($code: String!) { codeDiscountNodeByCode(code: $code) { id codeDiscount { __typename
  ... on DiscountCodeFreeShipping { title status summary appliesOncePerCustomer usageLimit discountClasses
    codes(first: 1) { nodes { code } } maximumShippingPrice { amount currencyCode }
    destinationSelection { ... on DiscountCountries { countries includeRestOfWorld }
      ... on DiscountCountryAll { allCountries } }
    minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount } }
      ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity } }
    context { ... on DiscountCustomers { customers { id } } ... on DiscountBuyerSelectionAll { all } } } } } }"""
START = "2026-01-01T00:00:00Z"


def _free(code: str = "SHIPFREE-1001", **extra) -> dict:
    return {"title": "Free shipping for the wait", "code": code, "startsAt": START, **extra}


def test_free_shipping_code_is_created_and_read_back(admin, seeded):
    customer = data_of(admin.graphql("{ customers(first: 1) { nodes { id } } }"))["customers"]["nodes"][0]["id"]
    created = data_of(admin.graphql(FREE, d=_free(
        usageLimit=1, appliesOncePerCustomer=True, context={"customers": {"add": [customer]}},
        minimumRequirement={"subtotal": {"greaterThanOrEqualToSubtotal": "100"}},
        destination={"countries": {"add": ["CN", "TW"]}}, maximumShippingPrice="30")))[
        "discountCodeFreeShippingCreate"]
    assert created["userErrors"] == []
    found = data_of(admin.graphql(READ, code="shipfree-1001"))["codeDiscountNodeByCode"]
    assert found["id"] == created["codeDiscountNode"]["id"]
    free = found["codeDiscount"]
    assert free["__typename"] == "DiscountCodeFreeShipping" and free["status"] == "ACTIVE"
    assert free["codes"]["nodes"] == [{"code": "SHIPFREE-1001"}] and free["discountClasses"] == ["SHIPPING"]
    assert free["destinationSelection"] == {"countries": ["CN", "TW"], "includeRestOfWorld": False}
    assert free["minimumRequirement"] == {"greaterThanOrEqualToSubtotal": {"amount": "100.0"}}
    assert free["maximumShippingPrice"] == {"amount": "30.0", "currencyCode": "CNY"}
    assert free["context"] == {"customers": [{"id": customer}]}
    assert free["summary"].startswith("Free shipping on all products • Minimum purchase of 100.00 CNY")
    by_id = data_of(admin.graphql("query($id: ID!) { node(id: $id) { ... on DiscountCodeNode { codeDiscount {"
                                  " __typename } } } }", id=found["id"]))["node"]
    assert by_id["codeDiscount"]["__typename"] == "DiscountCodeFreeShipping"


def test_codes_are_unique_across_basic_and_free_shipping(admin):
    basic = {"title": "Sorry", "code": "SORRY-7", "startsAt": START,
             "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}}}
    assert data_of(admin.graphql(BASIC, d=basic))["discountCodeBasicCreate"]["userErrors"] == []
    taken = data_of(admin.graphql(FREE, d=_free("sorry-7")))["discountCodeFreeShippingCreate"]
    assert taken["codeDiscountNode"] is None
    assert taken["userErrors"] == [{"field": ["freeShippingCodeDiscount", "code"],
                                    "message": "Code must be unique. Please try a different code.", "code": "TAKEN"}]
    assert data_of(admin.graphql(FREE, d=_free("SHIP-7")))["discountCodeFreeShippingCreate"]["userErrors"] == []
    again = data_of(admin.graphql(BASIC, d={**basic, "code": "ship-7"}))["discountCodeBasicCreate"]
    assert again["userErrors"][0]["code"] == "TAKEN"


@pytest.mark.parametrize("changes, field, code", [
    ({"title": " "}, ["freeShippingCodeDiscount", "title"], "BLANK"),
    ({"code": ""}, ["freeShippingCodeDiscount", "code"], "BLANK"),
    ({"endsAt": "2025-12-01T00:00:00Z"}, ["freeShippingCodeDiscount", "endsAt"], "END_DATE_BEFORE_START_DATE"),
    ({"usageLimit": 0}, ["freeShippingCodeDiscount", "usageLimit"], "GREATER_THAN"),
    ({"minimumRequirement": {"quantity": {"greaterThanOrEqualToQuantity": "2"},
                             "subtotal": {"greaterThanOrEqualToSubtotal": "50"}}},
     ["freeShippingCodeDiscount", "minimumRequirement"], "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT"),
    ({"destination": {"all": True, "countries": {"add": ["CN"]}}}, ["freeShippingCodeDiscount", "destination"],
     "TOO_MANY_ARGUMENTS"),
    ({"context": {"customers": {"add": ["gid://shopify/Customer/1"]}}},
     ["freeShippingCodeDiscount", "context", "customers", "add", "0"], "INVALID"),
])
def test_invalid_free_shipping_inputs_are_user_errors(admin, changes, field, code):
    answer = data_of(admin.graphql(FREE, d=_free(**changes)))["discountCodeFreeShippingCreate"]
    assert answer["codeDiscountNode"] is None
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in answer["userErrors"]]
    assert data_of(admin.graphql(READ, code="SHIPFREE-1001"))["codeDiscountNodeByCode"] is None
