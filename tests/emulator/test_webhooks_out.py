"""Webhooks out: Shopify's headers, raw-body HMAC, sample-shaped payloads, retries and delivery controls."""
import base64
import hashlib
import hmac
import json
import time

import pytest
from tests.emulator.emu_helpers import SECRET, SHOP, Admin, data_of, wait_for

from emulator.delivery_rules import DeliveryRules

HEADERS = ("X-Shopify-Topic", "X-Shopify-Hmac-Sha256", "X-Shopify-Shop-Domain", "X-Shopify-API-Version",
           "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At")


def _verify(body: bytes, signature: str, secret: str = SECRET) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature)


def _order(client, seeded, quantity=1, customer=None):
    answer = client.post(f"/emulator/shops/{SHOP}/orders", json={
        "lines": [{"variant_id": seeded["flash_sale_variant"], "quantity": quantity}], "customer_id": customer})
    assert answer.status_code == 200, answer.json
    return answer.json


def _first_customer(client, seeded) -> str:
    query = "{ customers(first: 1) { nodes { id } } }"
    return data_of(Admin(client, seeded["token"]).graphql(query))["customers"]["nodes"][0]["id"]


def _received(receiver, topic):
    return [r for r in receiver.requests if r["headers"]["X-Shopify-Topic"] == topic]


def _sample(shared_dir, name) -> dict:
    return json.loads((shared_dir / "shopify" / "webhook-samples" / name).read_text())


def test_order_webhooks_carry_headers_and_verifiable_signatures(wired, client, receiver, seeded):
    _order(client, seeded)
    wait_for(wired)
    assert receiver.topics()[:3] == ["orders/create", "orders/paid", "inventory_levels/update"]
    for request in receiver.requests:
        headers = request["headers"]
        assert all(headers.get(name) for name in HEADERS), headers
        assert request["path"] == "/webhooks" and headers["X-Shopify-Shop-Domain"] == SHOP
        assert headers["X-Shopify-API-Version"] == "2026-07"
        assert _verify(request["body"], headers["X-Shopify-Hmac-Sha256"])
        tampered = bytearray(request["body"])
        tampered[len(tampered) // 2] ^= 0x01
        assert not _verify(bytes(tampered), headers["X-Shopify-Hmac-Sha256"])
    create, paid = _received(receiver, "orders/create")[0], _received(receiver, "orders/paid")[0]
    assert create["headers"]["X-Shopify-Event-Id"] != paid["headers"]["X-Shopify-Event-Id"]


def test_body_is_escaped_like_shopify_so_reserialising_breaks_the_signature(wired, client, receiver, seeded):
    _order(client, seeded)
    wait_for(wired)
    request = _received(receiver, "orders/create")[0]
    assert b"https:\\/\\/" in request["body"]
    reserialised = json.dumps(json.loads(request["body"])).encode()
    assert not _verify(reserialised, request["headers"]["X-Shopify-Hmac-Sha256"])


def test_payloads_are_shaped_like_shopifys_samples(wired, client, receiver, seeded, shared_dir, admin):
    order = _order(client, seeded, quantity=6)
    line = order["line_items"][0]["admin_graphql_api_id"]
    key = "refund-sample"
    admin.graphql(f"""mutation($input: RefundInput!) {{ refundCreate(input: $input) @idempotent(key: "{key}")
        {{ userErrors {{ message }} }} }}""", input={
        "orderId": order["admin_graphql_api_id"], "refundLineItems": [{"lineItemId": line, "quantity": 1}]})
    wait_for(wired)
    created = json.loads(_received(receiver, "orders/create")[0]["body"])
    sample = _sample(shared_dir, "orders-create.json")
    assert set(created) == set(sample)
    assert set(created["line_items"][0]) == set(sample["line_items"][0])
    assert created["admin_graphql_api_id"] == order["admin_graphql_api_id"] and isinstance(created["id"], int)
    level = json.loads(_received(receiver, "inventory_levels/update")[0]["body"])
    assert set(level) == set(_sample(shared_dir, "inventory_levels-update.json"))
    assert isinstance(level["available"], int) and level["available"] < 0
    stock = json.loads(_received(receiver, "variants/out_of_stock")[0]["body"])
    assert set(stock) == set(_sample(shared_dir, "variants-out_of_stock.json"))
    refund = json.loads(_received(receiver, "refunds/create")[0]["body"])
    refund_sample = _sample(shared_dir, "refunds-create.json")
    assert set(refund) == set(refund_sample)
    assert set(refund["refund_line_items"][0]) == set(refund_sample["refund_line_items"][0])


def test_duplicate_rule_sends_the_same_delivery_twice(wired, client, receiver, seeded):
    client.post("/emulator/webhooks/rules", json={"action": "duplicate", "topic": "orders/create"})
    _order(client, seeded)
    wait_for(wired)
    copies = _received(receiver, "orders/create")
    assert len(copies) == 2
    assert copies[0]["headers"]["X-Shopify-Event-Id"] == copies[1]["headers"]["X-Shopify-Event-Id"]
    assert copies[0]["headers"]["X-Shopify-Webhook-Id"] == copies[1]["headers"]["X-Shopify-Webhook-Id"]
    assert copies[0]["body"] == copies[1]["body"]


def test_drop_rule_never_sends(wired, client, receiver, seeded):
    client.post("/emulator/webhooks/rules", json={"action": "drop", "topic": "orders/paid"})
    _order(client, seeded)
    wait_for(wired)
    assert not _received(receiver, "orders/paid")
    dropped = client.get("/emulator/deliveries?topic=orders/paid").json["deliveries"]
    assert [d["status"] for d in dropped] == ["dropped"]


def test_held_delivery_arrives_out_of_order_when_released(wired, client, receiver, seeded):
    client.post("/emulator/webhooks/rules", json={"action": "hold", "topic": "orders/create"})
    _order(client, seeded)
    wait_for(wired)
    assert "orders/create" not in receiver.topics() and "orders/paid" in receiver.topics()
    assert client.post("/emulator/webhooks/release", json={}).json == {"released": 1}
    wait_for(wired)
    assert receiver.topics()[-1] == "orders/create"


def test_delayed_delivery_comes_late(wired, client, receiver, seeded):
    client.post("/emulator/webhooks/rules", json={"action": "delay", "topic": "orders/create", "seconds": 0.3})
    started = time.monotonic()
    _order(client, seeded)
    wait_for(wired)
    topics = receiver.topics()
    assert topics.index("orders/paid") < topics.index("orders/create")
    assert time.monotonic() - started >= 0.3


def test_failures_are_retried_then_recorded(wired, client, receiver, seeded):
    receiver.statuses.extend([500, 503])
    client.post("/emulator/webhooks/rules", json={"action": "drop", "topic": "orders/paid"})
    client.post("/emulator/webhooks/rules", json={"action": "drop", "topic": "inventory_levels/update"})
    _order(client, seeded)
    wait_for(wired)
    record = client.get("/emulator/deliveries?topic=orders/create").json["deliveries"][0]
    assert [a["status"] for a in record["attempts"]] == [500, 503, 200] and record["status"] == "delivered"
    assert len(_received(receiver, "orders/create")) == 3


def test_delivery_gives_up_after_the_retries(wired, client, receiver, seeded):
    receiver.statuses.extend([500] * 10)
    client.post(f"/emulator/shops/{SHOP}/compliance/shop-redact", json={})
    wait_for(wired)
    record = client.get("/emulator/deliveries?topic=shop/redact").json["deliveries"][0]
    assert record["status"] == "failed" and len(record["attempts"]) == 4


def test_chaos_is_reproducible_with_a_seed():
    def run(seed):
        rules = DeliveryRules()
        rules.set_chaos(duplicate=0.3, reorder=0.05, drop=0.05, seed=seed)
        return [rules.decide("orders/create", SHOP).action for _ in range(400)]
    first, second = run(11), run(11)
    assert first == second and first != run(12)
    assert 80 < first.count("duplicate") < 160 and first.count("drop") < 45 and "hold" in first
    with pytest.raises(ValueError):
        DeliveryRules().set_chaos(duplicate=0.9, drop=0.2)


def test_chaos_reorder_releases_after_the_next_send(wired, client, receiver, seeded):
    client.post("/emulator/webhooks/chaos", json={"reorder": 1.0, "seed": 3})
    client.post("/emulator/webhooks/rules", json={"action": "delay", "topic": "orders/paid", "seconds": 0})
    _order(client, seeded)
    wait_for(wired)
    topics = receiver.topics()
    assert topics[0] == "orders/paid" and "orders/create" in topics, "held until a later send overtook it"


def test_shop_subscription_gets_only_included_fields_and_its_name(wired, client, receiver, seeded, admin):
    answer = data_of(admin.graphql("""mutation($uri: String!) {
        webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: {
            uri: $uri, includeFields: ["id", "name", "updated_at"], name: "orders-lite"}) {
          webhookSubscription { id topic uri includeFields } userErrors { field message } } }""",
                                   uri=receiver.url + "/lite"))
    assert answer["webhookSubscriptionCreate"]["userErrors"] == []
    _order(client, seeded)
    wait_for(wired)
    lite = [r for r in receiver.requests if r["path"] == "/lite"]
    assert len(lite) == 1 and lite[0]["headers"]["X-Shopify-Name"] == "orders-lite"
    assert set(json.loads(lite[0]["body"])) == {"id", "name", "updated_at"}


def test_uninstall_sends_app_uninstalled_then_revokes(wired, client, receiver, seeded, shared_dir):
    client.post(f"/emulator/shops/{SHOP}/uninstall")
    wait_for(wired)
    body = json.loads(_received(receiver, "app/uninstalled")[0]["body"])
    assert set(body) == set(_sample(shared_dir, "app-uninstalled.json"))
    assert body["myshopify_domain"] == SHOP
    assert Admin(client, seeded["token"]).post("{ shop { name } }").status_code == 401
    _order(client, seeded)
    client.post(f"/emulator/shops/{SHOP}/compliance/shop-redact", json={})
    wait_for(wired)
    assert not _received(receiver, "orders/create"), "an uninstalled app hears no order webhooks"
    assert json.loads(_received(receiver, "shop/redact")[0]["body"]) == {"shop_id": body["id"], "shop_domain": SHOP}


def test_customer_compliance_requests(wired, client, receiver, seeded, shared_dir):
    customer = _first_customer(client, seeded)
    order = _order(client, seeded, customer=customer)
    client.post(f"/emulator/shops/{SHOP}/compliance/customers-data_request", json={"customer_id": customer})
    client.post(f"/emulator/shops/{SHOP}/compliance/customers-redact", json={"customer_id": customer})
    wait_for(wired)
    request = json.loads(_received(receiver, "customers/data_request")[0]["body"])
    assert set(request) == set(_sample(shared_dir, "customers-data_request.json"))
    assert request["orders_requested"] == [order["id"]]
    redact = json.loads(_received(receiver, "customers/redact")[0]["body"])
    assert set(redact) == set(_sample(shared_dir, "customers-redact.json"))


def test_recorded_delivery_can_be_sent_again_unchanged(wired, client, receiver, seeded):
    _order(client, seeded)
    wait_for(wired)
    record = client.get("/emulator/deliveries?topic=orders/create").json["deliveries"][0]
    assert client.post(f"/emulator/deliveries/{record['id']}/redeliver").status_code == 200
    wait_for(wired)
    first, again = _received(receiver, "orders/create")
    assert first["body"] == again["body"] and first["headers"]["X-Shopify-Webhook-Id"] == record["id"]
    assert again["headers"]["X-Shopify-Event-Id"] == record["event_id"]
    assert client.post("/emulator/deliveries/nope/redeliver").status_code == 404
