"""Catalogue and store mutations: tags, publishing, presale policy, metafields, inventory, discounts, consent."""
import pytest
from tests.emulator.emu_helpers import SHOP, data_of

FIND = 'query($q: String) { products(first: 1, query: $q) { nodes { id tags status title variants(first: 20) {' \
       ' nodes { id inventoryPolicy price inventoryItem { id } } } } } }'


@pytest.fixture
def tee(admin):
    return data_of(admin.graphql(FIND, q="handle:classic-crew-tee"))["products"]["nodes"][0]


def _online_store(admin) -> str:
    publications = data_of(admin.graphql("{ publications(first: 10) { nodes { id catalog { title } } } }"))
    return next(p["id"] for p in publications["publications"]["nodes"] if p["catalog"]["title"] == "Online Store")


def test_tags_add_and_remove(admin, tee):
    add = """mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) {
        node { ... on Product { tags } } userErrors { message } } }"""
    added = data_of(admin.graphql(add, id=tee["id"], tags=["stockout:presale", "基础款", "Sale, Clearance"]))
    assert added["tagsAdd"]["node"]["tags"] == ["基础款", "stockout:presale", "Sale", "Clearance"]
    remove = add.replace("tagsAdd", "tagsRemove")
    removed = data_of(admin.graphql(remove, id=tee["id"], tags=["STOCKOUT:PRESALE", "sale"]))
    assert removed["tagsRemove"]["node"]["tags"] == ["基础款", "Clearance"]


def test_product_update_replaces_the_whole_tag_list_and_status(admin, tee, client):
    answer = data_of(admin.graphql("""mutation($p: ProductUpdateInput!) { productUpdate(product: $p) {
        product { tags status } userErrors { field message } } }""",
                                   p={"id": tee["id"], "tags": ["only-this"], "status": "DRAFT"}))["productUpdate"]
    assert answer == {"product": {"tags": ["only-this"], "status": "DRAFT"}, "userErrors": []}
    state = client.get(f"/emulator/shops/{SHOP}/products/{tee['id'].rsplit('/', 1)[1]}").json
    assert state["status"] == "draft" and state["tags"] == "only-this"


def test_product_update_user_errors(admin, tee):
    blank = data_of(admin.graphql("""mutation($p: ProductUpdateInput!) { productUpdate(product: $p) {
        userErrors { field message } } }""", p={"id": tee["id"], "title": " "}))
    assert blank["productUpdate"]["userErrors"] == [{"field": ["title"], "message": "Title can't be blank"}]


def test_deprecated_input_argument_is_not_modelled(admin, tee):
    answer = admin.graphql("""mutation($i: ProductInput) { productUpdate(input: $i) { userErrors { message } } }""",
                           i={"id": tee["id"], "title": "x"})
    assert answer["errors"][0]["message"] == "emulator does not support argument Mutation.productUpdate(input:)"


def test_unpublish_and_publish_on_online_store(admin, tee):
    online = _online_store(admin)
    check = "query($id: ID!, $pub: ID!) { product(id: $id) { publishedOnPublication(publicationId: $pub) } }"
    assert data_of(admin.graphql(check, id=tee["id"], pub=online))["product"]["publishedOnPublication"] is True
    toggle = """mutation($id: ID!, $pub: ID!) { %s(id: $id, input: [{publicationId: $pub}]) {
        publishable { ... on Product { publishedOnPublication(publicationId: $pub) } } userErrors { message } } }"""
    off = data_of(admin.graphql(toggle % "publishableUnpublish", id=tee["id"], pub=online))
    assert off["publishableUnpublish"]["publishable"]["publishedOnPublication"] is False
    on = data_of(admin.graphql(toggle % "publishablePublish", id=tee["id"], pub=online))
    assert on["publishablePublish"]["publishable"]["publishedOnPublication"] is True


def test_presale_is_inventory_policy_continue(admin, tee):
    variant = tee["variants"]["nodes"][0]
    answer = data_of(admin.graphql("""mutation($pid: ID!, $v: [ProductVariantsBulkInput!]!) {
        productVariantsBulkUpdate(productId: $pid, variants: $v) { productVariants { id inventoryPolicy price }
        userErrors { field message code } } }""", pid=tee["id"],
                                   v=[{"id": variant["id"], "inventoryPolicy": "CONTINUE", "price": "89.50"}]))
    assert answer["productVariantsBulkUpdate"]["productVariants"] == [
        {"id": variant["id"], "inventoryPolicy": "CONTINUE", "price": "89.50"}]
    foreign = data_of(admin.graphql("""mutation($pid: ID!, $v: [ProductVariantsBulkInput!]!) {
        productVariantsBulkUpdate(productId: $pid, variants: $v) { userErrors { field code } } }""",
                                    pid=tee["id"], v=[{"id": "gid://shopify/ProductVariant/1", "price": "1"}]))
    assert foreign["productVariantsBulkUpdate"]["userErrors"] == [
        {"field": ["variants", "0", "id"], "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}]


def test_metafields_set_is_typed_and_atomic(admin, tee):
    mutation = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
        metafields { namespace key value type } userErrors { field message code elementIndex } } }"""
    good = {"ownerId": tee["id"], "namespace": "stockout", "key": "restock_date", "value": "2026-12-20",
            "type": "date"}
    bad = {"ownerId": tee["id"], "namespace": "stockout", "key": "eta_days", "value": "soon",
           "type": "number_integer"}
    failed = data_of(admin.graphql(mutation, m=[good, bad]))["metafieldsSet"]
    assert failed["metafields"] is None
    assert failed["userErrors"][0]["field"] == ["metafields", "1", "value"]
    assert failed["userErrors"][0]["elementIndex"] == 1
    read = 'query($id: ID!) { product(id: $id) { metafield(namespace: "stockout", key: "restock_date") { value } } }'
    assert data_of(admin.graphql(read, id=tee["id"]))["product"]["metafield"] is None
    saved = data_of(admin.graphql(mutation, m=[good]))["metafieldsSet"]
    assert saved["metafields"] == [{"namespace": "stockout", "key": "restock_date", "value": "2026-12-20",
                                    "type": "date"}]
    assert data_of(admin.graphql(read, id=tee["id"]))["product"]["metafield"] == {"value": "2026-12-20"}
    too_many = admin.graphql(mutation, m=[good] * 26)
    assert too_many["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"


def test_metafields_delete_by_identifier_answers_null_for_what_is_not_there(admin, tee):
    set_date = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }"""
    data_of(admin.graphql(set_date, m=[{"ownerId": tee["id"], "namespace": "stockout", "key": "restock_date",
                                        "value": "2026-12-20", "type": "date"}]))
    delete = """mutation($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) {
        deletedMetafields { ownerId namespace key } userErrors { field message } } }"""
    gone = data_of(admin.graphql(delete, m=[{"ownerId": tee["id"], "namespace": "stockout", "key": "restock_date"},
                                           {"ownerId": tee["id"], "namespace": "stockout", "key": "ship_by"}]))
    assert gone["metafieldsDelete"] == {"userErrors": [], "deletedMetafields": [
        {"ownerId": tee["id"], "namespace": "stockout", "key": "restock_date"}, None]}
    read = 'query($id: ID!) { product(id: $id) { metafield(namespace: "stockout", key: "restock_date") { value } ' \
           'metafields(first: 5, namespace: "stockout") { nodes { key } } } }'
    assert data_of(admin.graphql(read, id=tee["id"]))["product"] == {"metafield": None, "metafields": {"nodes": []}}
    data_of(admin.graphql(set_date, m=[{"ownerId": tee["id"], "namespace": "stockout", "key": "restock_date",
                                        "value": "a week", "type": "single_line_text_field"}]))
    again = data_of(admin.graphql(read, id=tee["id"]))["product"]["metafield"]
    assert again == {"value": "a week"}, "a deleted metafield's type no longer binds the key"


def test_inventory_adjust_requires_key_and_compare_and_swap(admin, tee):
    variant = tee["variants"]["nodes"][0]
    level = data_of(admin.graphql("""query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 1) {
        nodes { location { id } quantities(names: ["available"]) { quantity } } } } }""",
                                  id=variant["inventoryItem"]["id"]))["inventoryItem"]["inventoryLevels"]["nodes"][0]
    units = level["quantities"][0]["quantity"]
    mutation = """mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input)
        @idempotent(key: "%s") { inventoryAdjustmentGroup { reason changes(quantityNames: ["available"]) {
        delta quantityAfterChange } } userErrors { field message code } } }"""
    change = {"inventoryItemId": variant["inventoryItem"]["id"], "locationId": level["location"]["id"], "delta": 4}
    missing = data_of(admin.graphql(mutation % "a", input={"reason": "received", "name": "available",
                                                          "changes": [change]}))["inventoryAdjustQuantities"]
    assert missing["userErrors"][0]["field"] == ["input", "changes", "0", "changeFromQuantity"]
    stale = data_of(admin.graphql(mutation % "b", input={"reason": "received", "name": "available", "changes": [
        {**change, "changeFromQuantity": units + 1}]}))["inventoryAdjustQuantities"]
    assert stale["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    good = {"reason": "received", "name": "available", "changes": [{**change, "changeFromQuantity": units}]}
    done = data_of(admin.graphql(mutation % "c", input=good))["inventoryAdjustQuantities"]
    assert done["inventoryAdjustmentGroup"]["changes"] == [{"delta": 4, "quantityAfterChange": units + 4}]
    repeat = data_of(admin.graphql(mutation % "c", input=good))["inventoryAdjustQuantities"]
    assert repeat == done
    without_key = admin.graphql((mutation % "x").replace(' @idempotent(key: "x")', ""), input=good)
    assert "required" in without_key["errors"][0]["message"]


def test_inventory_set_quantities(admin, tee):
    variant = tee["variants"]["nodes"][1]
    location = data_of(admin.graphql("{ locations(first: 1) { nodes { id } } }"))["locations"]["nodes"][0]["id"]
    result = data_of(admin.graphql("""mutation($input: InventorySetQuantitiesInput!) {
        inventorySetQuantities(input: $input) @idempotent(key: "set-1") { userErrors { code } } }""", input={
        "reason": "correction", "name": "available", "quantities": [
            {"inventoryItemId": variant["inventoryItem"]["id"], "locationId": location, "quantity": 7,
             "changeFromQuantity": None}]}))
    assert result["inventorySetQuantities"]["userErrors"] == []
    level = data_of(admin.graphql("""query($id: ID!, $loc: ID!) { inventoryItem(id: $id) {
        inventoryLevel(locationId: $loc) { quantities(names: ["available", "on_hand"]) { name quantity } } } }""",
                                  id=variant["inventoryItem"]["id"], loc=location))
    assert level["inventoryItem"]["inventoryLevel"]["quantities"] == [{"name": "available", "quantity": 7},
                                                                       {"name": "on_hand", "quantity": 7}]


def test_discount_code_is_unique_per_shop_and_limited_to_one_customer(admin):
    customer = data_of(admin.graphql("{ customers(first: 1) { nodes { id } } }"))["customers"]["nodes"][0]["id"]
    mutation = """mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) {
        codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title usageLimit appliesOncePerCustomer
          codes(first: 1) { nodes { code } } context { ... on DiscountCustomers { customers { id } } }
          customerGets { value { ... on DiscountPercentage { percentage } } } } } }
        userErrors { field message code } } }"""
    discount = {"title": "Sorry for the wait", "code": "SORRY-1001", "startsAt": "2026-11-01T00:00:00Z",
                "usageLimit": 1, "appliesOncePerCustomer": True, "context": {"customers": {"add": [customer]}},
                "customerGets": {"value": {"percentage": 0.15}, "items": {"all": True}}}
    created = data_of(admin.graphql(mutation, d=discount))["discountCodeBasicCreate"]
    assert created["userErrors"] == []
    basic = created["codeDiscountNode"]["codeDiscount"]
    assert basic["codes"]["nodes"] == [{"code": "SORRY-1001"}] and basic["context"]["customers"] == [{"id": customer}]
    assert basic["customerGets"]["value"] == {"percentage": 0.15} and basic["usageLimit"] == 1
    taken = data_of(admin.graphql(mutation, d={**discount, "code": "sorry-1001"}))["discountCodeBasicCreate"]
    assert taken["userErrors"] == [{"field": ["basicCodeDiscount", "code"],
                                    "message": "Code must be unique. Please try a different code.", "code": "TAKEN"}]
    found = data_of(admin.graphql('{ codeDiscountNodeByCode(code: "SORRY-1001") { id } }'))
    assert found["codeDiscountNodeByCode"]["id"] == created["codeDiscountNode"]["id"]
    wrong = data_of(admin.graphql(mutation, d={**discount, "code": "X2", "endsAt": "2026-10-01T00:00:00Z",
                                               "customerGets": {"value": {"percentage": 1.5},
                                                                "items": {"all": True}}}))
    codes = {e["code"] for e in wrong["discountCodeBasicCreate"]["userErrors"]}
    assert codes == {"END_DATE_BEFORE_START_DATE", "VALUE_OUTSIDE_RANGE"}


def test_marketing_consent_updates(admin):
    customer = data_of(admin.graphql('{ customers(first: 1, query: "email:li.fang@example.cn") { nodes { id } } }'))[
        "customers"]["nodes"][0]["id"]
    sms = data_of(admin.graphql("""mutation($input: CustomerSmsMarketingConsentUpdateInput!) {
        customerSmsMarketingConsentUpdate(input: $input) { customer { defaultPhoneNumber { marketingState }
        smsMarketingConsent { marketingState } } userErrors { field message } } }""", input={
        "customerId": customer, "smsMarketingConsent": {"marketingState": "SUBSCRIBED",
                                                        "marketingOptInLevel": "SINGLE_OPT_IN"}}))
    assert sms["customerSmsMarketingConsentUpdate"]["customer"]["smsMarketingConsent"]["marketingState"] == \
        "SUBSCRIBED"
    refused = data_of(admin.graphql("""mutation($input: CustomerEmailMarketingConsentUpdateInput!) {
        customerEmailMarketingConsentUpdate(input: $input) { userErrors { field code } } }""", input={
        "customerId": customer, "emailMarketingConsent": {"marketingState": "NOT_SUBSCRIBED"}}))
    assert refused["customerEmailMarketingConsentUpdate"]["userErrors"] == [
        {"field": ["input", "emailMarketingConsent", "marketingState"], "code": "INCLUSION"}]


def test_webhook_subscriptions_round_trip(admin):
    create = """mutation($uri: String!) { webhookSubscriptionCreate(topic: VARIANTS_OUT_OF_STOCK,
        webhookSubscription: {uri: $uri}) { webhookSubscription { id topic uri } userErrors { field message } } }"""
    made = data_of(admin.graphql(create, uri="https://app.example/webhooks"))["webhookSubscriptionCreate"]
    assert made["webhookSubscription"]["topic"] == "VARIANTS_OUT_OF_STOCK"
    twice = data_of(admin.graphql(create, uri="https://app.example/webhooks"))["webhookSubscriptionCreate"]
    assert twice["userErrors"][0]["message"] == "Address for this topic has already been taken"
    insecure = data_of(admin.graphql(create, uri="http://app.example/webhooks"))["webhookSubscriptionCreate"]
    assert insecure["userErrors"][0]["message"] == "Address protocol must be HTTPS"
    listed = data_of(admin.graphql("{ webhookSubscriptions(first: 10) { nodes { id uri } } }"))
    assert [n["id"] for n in listed["webhookSubscriptions"]["nodes"]] == [made["webhookSubscription"]["id"]]
    deleted = data_of(admin.graphql("""mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {
        deletedWebhookSubscriptionId userErrors { message } } }""", id=made["webhookSubscription"]["id"]))
    assert deleted["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == made["webhookSubscription"]["id"]
