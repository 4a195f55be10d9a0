"""The in-memory state of every shop, the registered app, and the events waiting to go out."""
import itertools
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from . import gids
from .model import (Customer, Discount, InventoryItem, InventoryLevel, LineItem, Location, Metafield, Order,
                    OrderEdit, Product, Publication, Refund, Transaction, Variant, WebhookSubscription)

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
DEFAULT_TOPICS = ("app/uninstalled", "orders/create", "orders/paid", "orders/updated", "orders/cancelled",
                  "orders/edited", "refunds/create", "inventory_levels/update", "products/update",
                  "variants/out_of_stock", "variants/in_stock")
DEFAULT_SCOPES = ("read_products", "write_products", "read_inventory", "write_inventory", "read_orders",
                  "write_orders", "write_order_edits", "read_customers", "write_customers", "read_discounts",
                  "write_discounts", "read_locations", "read_publications", "write_publications", "read_locales",
                  "write_app_proxy")


@dataclass
class AppRegistration:
    """The one app this emulator serves, as its Partner Dashboard / TOML would describe it."""
    client_id: str
    client_secret: str
    previous_secret: str | None = None
    app_url: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    webhook_topics: tuple[str, ...] = DEFAULT_TOPICS
    webhook_api_version: str = "2026-07"
    redirect_urls: tuple[str, ...] = ()
    name: str = "Stockout Concierge"
    id: int = 7_300_001

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.client_secret, self.previous_secret) if s)

    @property
    def webhook_url(self) -> str | None:
        return self.app_url.rstrip("/") + "/webhooks" if self.app_url else None


@dataclass
class Event:
    """A state change to announce: one topic, one REST-shaped payload, the URLs subscribed at that moment."""
    shop: str
    topic: str
    payload: dict
    triggered_at: datetime
    destinations: list[tuple[str, str | None, tuple[str, ...]]]


@dataclass
class Shop:
    typename = "Shop"
    id: int
    domain: str
    name: str
    email: str
    currency: str = "USD"
    timezone: str = "UTC"
    locales: list[tuple[str, bool]] = field(default_factory=lambda: [("en", True)])
    primary_host: str | None = None
    installed: bool = False
    granted_scopes: tuple[str, ...] = ()
    next_order_number: int = 1001
    locations: dict[int, Location] = field(default_factory=dict)
    publications: dict[int, Publication] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    inventory_items: dict[int, InventoryItem] = field(default_factory=dict)
    levels: dict[tuple[int, int], InventoryLevel] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    line_items: dict[int, LineItem] = field(default_factory=dict)
    transactions: dict[int, Transaction] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    order_edits: dict[int, OrderEdit] = field(default_factory=dict)
    discounts: dict[int, Discount] = field(default_factory=dict)
    discount_codes: dict[str, int] = field(default_factory=dict)
    metafields: dict[int, Metafield] = field(default_factory=dict)
    webhook_subscriptions: dict[int, WebhookSubscription] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], tuple[str, object]] = field(default_factory=dict)
    counters: Counter = field(default_factory=Counter)
    bucket: object = None
    faults: list = field(default_factory=list)

    @property
    def contact_email(self) -> str:
        return self.email

    @property
    def host(self) -> str:
        return self.primary_host or self.domain

    @property
    def handle(self) -> str:
        return self.domain.split(".")[0]

    def find(self, value: str):
        """The object a GID names in this shop, or None."""
        kind, number, _ = gids.split(value)
        if kind == "Shop":
            return self if number == self.id else None
        if kind == "InventoryLevel":
            key = gids.level_key(value)
            return self.levels.get((key[1], key[0])) if key else None
        collection = _COLLECTIONS.get(kind)
        return getattr(self, collection).get(number) if collection else None

    def online_store(self) -> Publication:
        return next(p for p in self.publications.values() if p.title == "Online Store")

    def levels_of(self, item_id: int) -> list[InventoryLevel]:
        return [self.levels[(item_id, loc)] for loc in self.locations if (item_id, loc) in self.levels]

    def variant_available(self, variant: Variant) -> int:
        return sum(level.available for level in self.levels_of(variant.inventory_item_id))


_COLLECTIONS = {
    "Location": "locations", "Publication": "publications", "Product": "products", "ProductVariant": "variants",
    "InventoryItem": "inventory_items", "Customer": "customers", "Order": "orders", "LineItem": "line_items",
    "OrderTransaction": "transactions", "Refund": "refunds", "CalculatedOrder": "order_edits",
    "OrderEditSession": "order_edits", "DiscountCodeNode": "discounts", "Metafield": "metafields",
    "WebhookSubscription": "webhook_subscriptions",
}


class Store:
    """Every shop's state behind one lock, plus app registration, credentials and pending events."""

    def __init__(self, clock, bucket_factory):
        self.lock = threading.RLock()
        self.clock = clock
        self._bucket_factory = bucket_factory
        self.app: AppRegistration | None = None
        self.shops: dict[str, Shop] = {}
        self.access_tokens: dict = {}
        self.refresh_tokens: dict = {}
        self.auth_codes: dict = {}
        self._ids = itertools.count(1001)
        self._events: list[Event] = []

    def new_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        return self.clock.now()

    def shop(self, domain: str) -> Shop:
        """The shop at `domain`, opened empty (one location, the Online Store) on first mention."""
        if not SHOP_DOMAIN.match(domain or ""):
            raise ValueError(f"not a shop domain: {domain!r}")
        domain = domain.lower()
        with self.lock:
            if domain not in self.shops:
                self.shops[domain] = self._open_shop(domain)
            return self.shops[domain]

    def _open_shop(self, domain: str) -> Shop:
        handle = domain.split(".")[0]
        shop = Shop(id=self.new_id(), domain=domain, name=handle.replace("-", " ").title(),
                    email=f"owner@{handle}.example", bucket=self._bucket_factory())
        location = Location(self.new_id(), "Shop location", {"address1": "", "city": "", "country": "United States",
                                                             "countryCode": "US", "zip": "", "province": ""})
        shop.locations[location.id] = location
        publication = Publication(self.new_id(), "Online Store", self.new_id())
        shop.publications[publication.id] = publication
        return shop

    def emit(self, shop: Shop, topic: str, payload) -> None:
        """Record a state change for whoever is subscribed to `topic` right now; `payload` may be a builder,
        called at once (a snapshot) and only when someone listens."""
        destinations = self._destinations(shop, topic)
        if destinations:
            body = payload() if callable(payload) else payload
            self._events.append(Event(shop.domain, topic, body, self.now(), destinations))

    def take_events(self) -> list[Event]:
        with self.lock:
            events, self._events = self._events, []
            return events

    def _destinations(self, shop: Shop, topic: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
        """(url, subscription name, include_fields) for the app's declared topics and the shop's own subscriptions."""
        app = self.app
        if app is None or not (shop.installed or topic in COMPLIANCE_TOPICS or topic == "app/uninstalled"):
            return []
        found = []
        if app.webhook_url and (topic in app.webhook_topics or topic in COMPLIANCE_TOPICS):
            found.append((app.webhook_url, None, ()))
        for sub in shop.webhook_subscriptions.values():
            if sub.topic == topic:
                found.append((sub.uri, sub.name, tuple(sub.include_fields)))
        return found

    def reset(self) -> None:
        """Forget every shop, credential and pending event; keep the app registration."""
        with self.lock:
            self.shops.clear()
            self.access_tokens.clear()
            self.refresh_tokens.clear()
            self.auth_codes.clear()
            self._events.clear()
