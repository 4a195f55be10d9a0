"""The Admin GraphQL endpoint: auth, versions, validation errors shaped like Shopify's, loud unsupported fields."""
from tests.emulator.emu_helpers import SHOP, Admin, data_of, http_client

from emulator import documents
from emulator.graphql_api import INVALID_TOKEN


def test_invalid_field_is_rejected_with_shopifys_error_shape(admin):
    answer = admin.graphql("{ shop { name colour } }")
    assert "data" not in answer
    assert answer["errors"] == [{
        "message": "Field 'colour' doesn't exist on type 'Shop'",
        "locations": [{"line": 1, "column": 15}],
        "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "colour"},
    }]


def test_missing_required_argument_and_unknown_argument(admin):
    missing = admin.graphql("{ product { id } }")["errors"][0]
    assert missing["extensions"]["code"] == "missingRequiredArguments"
    assert missing["message"] == "Field 'product' is missing required arguments: id"
    unknown = admin.graphql('{ shop { name(lang: "en") } }')["errors"][0]
    assert unknown["extensions"]["code"] == "argumentNotAccepted"


def test_syntax_error_names_the_position(admin):
    error = admin.graphql("{ shop { name }")["errors"][0]
    assert error["message"].startswith("syntax error, ")
    assert error["locations"] == [{"line": 1, "column": 16}]


def test_unsupported_field_fails_loudly_and_nothing_runs(admin, seeded):
    product_id = data_of(admin.graphql('{ products(first: 1, query: "handle:classic-crew-tee") { nodes { id } } }'))[
        "products"]["nodes"][0]["id"]
    answer = admin.graphql("""mutation($id: ID!) {
        productUpdate(product: {id: $id, title: "Renamed"}) { product { id seo { title } } userErrors { message } }
    }""", id=product_id)
    assert answer["errors"][0]["message"] == "emulator does not support Product.seo"
    assert answer["errors"][0]["extensions"]["code"] == "EMULATOR_UNSUPPORTED"
    title = data_of(admin.graphql("query($id: ID!) { product(id: $id) { title } }", id=product_id))
    assert title["product"]["title"] == "经典圆领T恤"


def test_unsupported_argument_fails_loudly(admin):
    error = admin.graphql('{ products(first: 1, savedSearchId: "gid://shopify/SavedSearch/1") { nodes { id } } }')[
        "errors"][0]
    assert error["message"] == "emulator does not support argument QueryRoot.products(savedSearchId:)"


def test_unsupported_search_filter_fails_loudly(admin):
    answer = admin.graphql('{ orders(first: 5, query: "risk_level:high") { nodes { id } } }')
    assert answer["errors"][0]["message"] == "emulator does not support search field 'risk_level' on orders"


def test_bad_or_missing_token_gets_401_with_shopifys_body(client, seeded):
    for token in ("shpat_not-issued-here", ""):
        response = Admin(client, token).post("{ shop { name } }")
        assert response.status_code == 401
        assert response.json == {"errors": INVALID_TOKEN}


def test_token_of_another_shop_is_refused(client, seeded):
    other = client.post("/emulator/shops/other-shop.myshopify.com/install", json={}).json["access_token"]
    assert Admin(client, other).post("{ shop { name } }").status_code == 401
    assert Admin(client, other, shop="other-shop.myshopify.com").post("{ shop { name } }").status_code == 200


def test_unknown_version_is_404_and_2026_04_is_served(client, seeded):
    assert Admin(client, seeded["token"], version="2019-01").post("{ shop { name } }").status_code == 404
    older = Admin(client, seeded["token"], version="2026-04").graphql("{ shop { currencyCode } }")
    assert older["data"]["shop"]["currencyCode"] == "CNY"


def test_shop_is_taken_from_host_header_first(client, seeded):
    response = client.post("/admin/api/2026-07/graphql.json", json={"query": "{ shop { myshopifyDomain } }"},
                           headers={"Host": SHOP, "X-Shopify-Access-Token": seeded["token"],
                                    "X-Shopify-Shop-Domain": "someone-else.myshopify.com"})
    assert response.json["data"]["shop"]["myshopifyDomain"] == SHOP


def test_shop_basics_and_locales(admin):
    data = data_of(admin.graphql("""{ shop { name currencyCode ianaTimezone myshopifyDomain primaryDomain { host } }
        shopLocales { locale primary } }"""))
    assert data["shop"]["currencyCode"] == "CNY" and data["shop"]["ianaTimezone"] == "Asia/Shanghai"
    assert {"locale": "zh-CN", "primary": True} in data["shopLocales"]


def test_validation_is_cached_per_document(admin):
    query = "{ shop { name email } }"
    admin.graphql(query)
    before = documents._prepare.cache_info().hits
    admin.graphql(query)
    assert documents._prepare.cache_info().hits == before + 1


def test_missing_scope_is_access_denied(client, seeded):
    token = client.post(f"/emulator/shops/{SHOP}/install", json={"scopes": ["read_products"]}).json["access_token"]
    answer = Admin(client, token).graphql("{ orders(first: 1) { nodes { id } } }")
    assert answer["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert answer["errors"][0]["extensions"]["requiredAccess"] == "`read_orders` access scope."


def test_node_lookup_and_malformed_gid(admin, seeded):
    variant = seeded["flash_sale_variant"]
    data = data_of(admin.graphql("""query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProductVariant { sku } } }""",
                                 ids=[variant, "gid://shopify/Product/999999"]))
    assert data["nodes"][0] == {"id": variant, "sku": "DA-LIMITEDCOL-BLK-M"} and data["nodes"][1] is None
    error = admin.graphql('{ product(id: "42") { id } }')["errors"][0]
    assert error["message"] == "Invalid global id '42'"


def test_every_response_carries_cost(admin):
    cost = admin.graphql("{ shop { name } }")["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1 and cost["actualQueryCost"] == 1
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0 and cost["throttleStatus"]["restoreRate"] == 100.0


def test_over_real_http_as_the_app_calls_it(live, seeded):
    with http_client(live) as http:
        response = http.post("/admin/api/2026-07/graphql.json", json={"query": "{ shop { name } }"},
                             headers={"X-Shopify-Access-Token": seeded["token"], "X-Shopify-Shop-Domain": SHOP})
    assert response.status_code == 200 and response.headers["X-Shopify-API-Version"] == "2026-07"
    assert response.json()["data"]["shop"]["name"] == "Demo Apparel 示范服饰"


def test_raw_graphql_body_is_accepted(client, seeded):
    response = client.post("/admin/api/2026-07/graphql.json", data="{ shop { currencyCode } }",
                           content_type="application/graphql",
                           headers={"X-Shopify-Access-Token": seeded["token"], "X-Shopify-Shop-Domain": SHOP})
    assert response.json["data"] == {"shop": {"currencyCode": "CNY"}}
    missing = client.post("/admin/api/2026-07/graphql.json", json={"variables": {}},
                          headers={"X-Shopify-Access-Token": seeded["token"], "X-Shopify-Shop-Domain": SHOP})
    assert missing.status_code == 400
