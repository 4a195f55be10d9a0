"""Shop-specific webhook subscriptions through the Admin API (webhookSubscriptionCreate/Delete)."""
from urllib.parse import urlparse

from graphql import GraphQLError

from . import gids
from .connections import paginate
from .inputs import refuse_unsupported
from .model import WebhookSubscription
from .payload import Payload, user_error
from .resolvers_common import gid_of, legacy_id

SUPPORTED_INPUT = {"uri", "callbackUrl", "format", "includeFields", "name"}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def topic_name(enum_value: str) -> str:
    """ORDERS_CREATE -> orders/create, INVENTORY_LEVELS_UPDATE -> inventory_levels/update."""
    special = {"VARIANTS_OUT_OF_STOCK": "variants/out_of_stock", "VARIANTS_IN_STOCK": "variants/in_stock",
               "APP_SCOPES_UPDATE": "app/scopes_update"}
    if enum_value in special:
        return special[enum_value]
    head, _, action = enum_value.lower().rpartition("_")
    return f"{head}/{action}"


def register(reg) -> None:
    reg.fields("QueryRoot", webhookSubscriptions=subscriptions)
    reg.fields("Mutation", webhookSubscriptionCreate=create, webhookSubscriptionDelete=delete)
    reg.attrs("WebhookSubscriptionCreatePayload", "webhookSubscription", "userErrors")
    reg.attrs("WebhookSubscriptionDeletePayload", "deletedWebhookSubscriptionId", "userErrors")
    reg.attrs("WebhookSubscription", "uri", "name", "createdAt", "apiVersion")
    reg.fields("WebhookSubscription", id=gid_of("WebhookSubscription"), legacyResourceId=legacy_id,
               topic=lambda s, info: s.topic_enum, callbackUrl=lambda s, info: s.uri,
               updatedAt=lambda s, info: s.created_at, format=lambda s, info: "JSON",
               includeFields=lambda s, info: s.include_fields, filter=lambda s, info: None,
               metafieldNamespaces=lambda s, info: [])
    reg.attrs("ApiVersion", "handle", "displayName", "supported")
    reg.attrs("WebhookSubscriptionConnection", "edges", "nodes", "pageInfo")
    reg.attrs("WebhookSubscriptionEdge", "cursor", "node")


def subscriptions(obj, info, first=None, after=None, last=None, before=None, reverse=False, topics=None,
                  uri=None, callbackUrl=None):
    wanted_uri = uri or callbackUrl
    found = [s for s in info.context.shop.webhook_subscriptions.values()
             if (topics is None or s.topic_enum in topics) and (wanted_uri is None or s.uri == wanted_uri)]
    found.sort(key=lambda s: s.id)
    return paginate(found, lambda s: (s.id,), first=first, after=after, last=last, before=before, reverse=reverse)


def create(obj, info, topic, webhookSubscription):
    store, shop = info.context.store, info.context.shop
    data = webhookSubscription
    refuse_unsupported(info, data, "WebhookSubscriptionInput", SUPPORTED_INPUT)
    if data.get("format") not in (None, "JSON"):
        raise GraphQLError(f"emulator does not support webhook format {data['format']}")
    address = (data.get("uri") or data.get("callbackUrl") or "").strip()
    field = ["webhookSubscription", "callbackUrl"]
    problem = _address_problem(address)
    if problem:
        return Payload(webhookSubscription=None, userErrors=[user_error(field, problem)])
    name = data.get("name")
    if name is not None and (len(name) > 50 or not name.replace("-", "").replace("_", "").isalnum()):
        return Payload(webhookSubscription=None, userErrors=[
            user_error(["webhookSubscription", "name"], "Name may only contain letters, numbers, - and _ "
                                                        "(at most 50 characters)")])
    if any(s.topic_enum == topic and s.uri == address for s in shop.webhook_subscriptions.values()):
        return Payload(webhookSubscription=None, userErrors=[
            user_error(field, "Address for this topic has already been taken")])
    subscription = WebhookSubscription(id=store.new_id(), topic_enum=topic, topic=topic_name(topic), uri=address,
                                       name=name,
                                       include_fields=list(data.get("includeFields") or []),
                                       created_at=store.now(), api_version=_api_version(info))
    shop.webhook_subscriptions[subscription.id] = subscription
    return Payload(webhookSubscription=subscription, userErrors=[])


def _api_version(info) -> dict:
    app = info.context.store.app
    handle = app.webhook_api_version if app else info.context.version
    return {"handle": handle, "displayName": handle, "supported": True}


def _address_problem(address: str) -> str | None:
    if not address:
        return "Address can't be blank"
    parsed = urlparse(address)
    if parsed.scheme == "https" and parsed.hostname:
        return None
    if parsed.scheme == "http" and parsed.hostname in LOCAL_HOSTS:
        return None
    if parsed.scheme in ("pubsub", "arn") or address.startswith("arn:"):
        raise GraphQLError("emulator does not support Pub/Sub or EventBridge webhook destinations")
    return "Address protocol must be HTTPS"


def delete(obj, info, id):
    shop = info.context.shop
    number = gids.number(id, "WebhookSubscription")
    if number not in shop.webhook_subscriptions:
        return Payload(deletedWebhookSubscriptionId=None,
                       userErrors=[user_error(["id"], "Webhook subscription does not exist")])
    del shop.webhook_subscriptions[number]
    return Payload(deletedWebhookSubscriptionId=id, userErrors=[])
