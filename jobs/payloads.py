"""Webhook payloads (REST-shaped dicts) read into typed facts, refusing a wrong shape or missing ids.

Ids come from the `admin_graphql_api_id` strings where the payload has them; nested ids that only
exist as numbers (a line's variant_id, a refund's order_id) are made into GIDs from the integer,
which Python's json keeps exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from app import db
from app.domain.money import MoneyError, parse_amount
from app.models import Shop
from jobs.handling import Delivery, RejectedPayload

_GID_PREFIX = "gid://shopify/"
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class InventoryLevelFact:
    """An inventory_levels/update: the available units of one item at one location, at a time."""

    inventory_item_gid: str
    location_gid: str
    available: int | None
    updated_at: datetime


@dataclass(frozen=True)
class VariantFact:
    """A variant as variants/in_stock, variants/out_of_stock and products/update describe it."""

    variant_gid: str
    product_gid: str | None
    inventory_item_gid: str | None
    title: str
    sku: str | None
    inventory_policy: str | None
    inventory_quantity: int | None
    updated_at: datetime | None


@dataclass(frozen=True)
class ProductFact:
    product_gid: str
    title: str
    vendor: str | None
    status: str | None
    tags: tuple[str, ...]
    variants: tuple[VariantFact, ...]
    variant_gids: tuple[str, ...]
    updated_at: datetime | None


@dataclass(frozen=True)
class RefundLineFact:
    line_item_gid: str
    quantity: int
    restock_type: str | None


@dataclass(frozen=True)
class RefundFact:
    refund_gid: str
    order_gid: str
    created_at: datetime | None
    lines: tuple[RefundLineFact, ...]

    def quantities(self) -> dict[str, int]:
        """Units refunded per line item in this refund."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.line_item_gid] = totals.get(line.line_item_gid, 0) + line.quantity
        return totals


@dataclass(frozen=True)
class OrderLineFact:
    line_item_gid: str
    variant_gid: str | None
    product_gid: str | None
    title: str
    sku: str | None
    quantity: int
    current_quantity: int
    fulfillable_quantity: int
    unit_price: Decimal
    tracked: bool


@dataclass(frozen=True)
class OrderFact:
    order_gid: str
    name: str
    created_at: datetime
    updated_at: datetime | None
    cancelled_at: datetime | None
    currency: str
    total_price: Decimal
    customer_gid: str | None
    customer_name: str | None
    email: str | None
    phone: str | None
    customer_locale: str | None
    lines: tuple[OrderLineFact, ...]
    refunds: tuple[RefundFact, ...]


@dataclass(frozen=True)
class OrderEditFact:
    """An orders/edited: which order was edited (the new quantities come with orders/updated)."""

    order_gid: str
    removed_line_gids: tuple[str, ...]
    added_line_gids: tuple[str, ...]


def delivery_shop(delivery: Delivery) -> Shop:
    """The shop the delivery is for; a delivery for a shop the app does not know is refused."""
    shop = db.session().get(Shop, delivery.shop_id)
    if shop is None:
        raise RejectedPayload(f"no shop with id {delivery.shop_id}")
    return shop


def parse_inventory_level(payload: object) -> InventoryLevelFact:
    body = _mapping(payload, "inventory level")
    level_gid = _text(body, "admin_graphql_api_id", required=False)
    location_gid, item_gid = _level_ids(level_gid) if level_gid else (None, None)
    location_gid = location_gid or _gid_from_number(body, "location_id", "Location")
    item_gid = item_gid or _gid_from_number(body, "inventory_item_id", "InventoryItem")
    return InventoryLevelFact(item_gid, location_gid, _int(body, "available", required=False),
                              _time(body, "updated_at"))


def parse_variant(payload: object) -> VariantFact:
    body = _mapping(payload, "variant")
    policy = _text(body, "inventory_policy", required=False)
    return VariantFact(
        variant_gid=_own_gid(body, "ProductVariant"),
        product_gid=_gid_from_number(body, "product_id", "Product", required=False),
        inventory_item_gid=_gid_from_number(body, "inventory_item_id", "InventoryItem", required=False),
        title=_text(body, "title", required=False) or "",
        sku=_text(body, "sku", required=False) or None,
        inventory_policy=policy.upper() if policy else None,
        inventory_quantity=_int(body, "inventory_quantity", required=False),
        updated_at=_time(body, "updated_at", required=False),
    )


def parse_product(payload: object) -> ProductFact:
    body = _mapping(payload, "product")
    product_gid = _own_gid(body, "Product")
    variants = tuple(replace(parse_variant(v), product_gid=product_gid) for v in _list(body, "variants"))
    listed = tuple(_own_gid(_mapping(v, "variant_gids entry"), "ProductVariant") for v in _list(body, "variant_gids"))
    tags = _text(body, "tags", required=False) or ""
    status = _text(body, "status", required=False)
    return ProductFact(
        product_gid=product_gid, title=_text(body, "title", required=False) or "",
        vendor=_text(body, "vendor", required=False), status=status.upper() if status else None,
        tags=tuple(tag.strip() for tag in tags.split(",") if tag.strip()), variants=variants,
        variant_gids=listed or tuple(v.variant_gid for v in variants),
        updated_at=_time(body, "updated_at", required=False),
    )


def parse_order(payload: object) -> OrderFact:
    body = _mapping(payload, "order")
    customer = body.get("customer") or {}
    if not isinstance(customer, Mapping):
        raise RejectedPayload("order: customer is not an object")
    names = [customer.get("first_name"), customer.get("last_name")]
    order_gid = _own_gid(body, "Order")
    total = body.get("current_total_price", body.get("total_price"))
    return OrderFact(
        order_gid=order_gid, name=_text(body, "name", required=False) or "",
        created_at=_time(body, "created_at"), updated_at=_time(body, "updated_at", required=False),
        cancelled_at=_time(body, "cancelled_at", required=False),
        currency=(_text(body, "currency", required=False) or "USD").upper(),
        total_price=_amount(total, "order total"),
        customer_gid=_own_gid(customer, "Customer") if customer else None,
        customer_name=" ".join(n for n in names if isinstance(n, str) and n) or None,
        email=_text(body, "email", required=False) or _text(customer, "email", required=False) or None,
        phone=_text(body, "phone", required=False) or _text(customer, "phone", required=False) or None,
        customer_locale=_text(body, "customer_locale", required=False),
        lines=tuple(_order_line(_mapping(line, "line item")) for line in _list(body, "line_items")),
        refunds=tuple(_refund(_mapping(r, "refund"), order_gid) for r in _list(body, "refunds")),
    )


def parse_refund(payload: object) -> RefundFact:
    body = _mapping(payload, "refund")
    return _refund(body, _gid_from_number(body, "order_id", "Order"))


def parse_order_edit(payload: object) -> OrderEditFact:
    edit = _mapping(_mapping(payload, "order edit").get("order_edit"), "order_edit")
    lines = _mapping(edit.get("line_items") or {}, "order_edit.line_items")

    def line_gids(key: str) -> tuple[str, ...]:
        return tuple(_gid_from_number(_mapping(e, key), "id", "LineItem") for e in _list(lines, key))

    return OrderEditFact(_gid_from_number(edit, "order_id", "Order"), line_gids("removals"), line_gids("additions"))


def _order_line(body: Mapping) -> OrderLineFact:
    quantity = _int(body, "quantity")
    current = _int(body, "current_quantity", required=False)
    current = quantity if current is None else current
    fulfillable = _int(body, "fulfillable_quantity", required=False)
    tracked = body.get("variant_inventory_management", "shopify") == "shopify"
    return OrderLineFact(
        line_item_gid=_own_gid(body, "LineItem"),
        variant_gid=_gid_from_number(body, "variant_id", "ProductVariant", required=False),
        product_gid=_gid_from_number(body, "product_id", "Product", required=False),
        title=_text(body, "title", required=False) or _text(body, "name", required=False) or "",
        sku=_text(body, "sku", required=False) or None, quantity=quantity, current_quantity=current,
        fulfillable_quantity=current if fulfillable is None else fulfillable,
        unit_price=_amount(body.get("price", "0"), "line price"), tracked=tracked,
    )


def _refund(body: Mapping, order_gid: str) -> RefundFact:
    lines = []
    for entry in _list(body, "refund_line_items"):
        entry = _mapping(entry, "refund line item")
        item = entry.get("line_item")
        gid = _text(item, "admin_graphql_api_id", required=False) if isinstance(item, Mapping) else None
        gid = gid if gid and gid.startswith(_GID_PREFIX + "LineItem/") else None
        lines.append(RefundLineFact(
            gid or _gid_from_number(entry, "line_item_id", "LineItem"), _int(entry, "quantity"),
            _text(entry, "restock_type", required=False),
        ))
    return RefundFact(_own_gid(body, "Refund"), order_gid, _time(body, "created_at", required=False), tuple(lines))


def _mapping(value: object, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise RejectedPayload(f"{what}: expected a JSON object, got {type(value).__name__}")
    return value


def _list(body: Mapping, key: str) -> list:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RejectedPayload(f"{key}: expected a list, got {type(value).__name__}")
    return value


def _text(body: Mapping, key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise RejectedPayload(f"{key}: expected text, got {value!r}")
    return value


def _int(body: Mapping, key: str, *, required: bool = True) -> int | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RejectedPayload(f"{key}: expected an integer, got {value!r}")
    return value


def _amount(value: object, what: str) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    try:
        return parse_amount(value)
    except MoneyError as error:
        raise RejectedPayload(f"{what}: {error}") from None


def _time(body: Mapping, key: str, *, required: bool = True) -> datetime | None:
    value = body.get(key)
    if value is None and not required:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RejectedPayload(f"{key}: expected an ISO 8601 time, got {value!r}") from None
    if moment.tzinfo is None:
        raise RejectedPayload(f"{key}: the time {value!r} has no UTC offset")
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise RejectedPayload(f"{key}: the time {value!r} is out of range") from None


def _own_gid(body: Mapping, kind: str) -> str:
    """The object's GID: its admin_graphql_api_id when present and of the right kind, else from its id."""
    gid = body.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith(f"{_GID_PREFIX}{kind}/") and len(gid) > len(_GID_PREFIX) + len(kind) + 1:
        return gid
    if gid is not None:
        raise RejectedPayload(f"admin_graphql_api_id: expected a {kind} GID, got {gid!r}")
    return _gid_from_number(body, "id", kind)


def _gid_from_number(body: Mapping, key: str, kind: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
        raise RejectedPayload(f"{key}: expected a {kind} id, got {value!r}")
    return f"{_GID_PREFIX}{kind}/{value}"


def _level_ids(level_gid: str) -> tuple[str, str]:
    """Location and inventory item GIDs from gid://shopify/InventoryLevel/<location>?inventory_item_id=<item>."""
    # The prefix first: it fixes the host part, which urlsplit would otherwise refuse with a ValueError ("[").
    parts = urlsplit(level_gid) if level_gid.startswith(_GID_PREFIX + "InventoryLevel/") else None
    location = parts.path.rsplit("/", 1)[-1] if parts else ""
    item = parse_qs(parts.query).get("inventory_item_id", [""])[0] if parts else ""
    if not location.isdigit() or not item.isdigit():
        raise RejectedPayload(f"admin_graphql_api_id: expected an InventoryLevel GID, got {level_gid!r}")
    return f"{_GID_PREFIX}Location/{location}", f"{_GID_PREFIX}InventoryItem/{item}"
