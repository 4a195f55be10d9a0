"""A product as the app sees it in Shopify, and the record of what the app changed on it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from enum import Enum

from app.domain.presale_label import PresaleLabel


class ProductStatus(str, Enum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    DRAFT = "DRAFT"
    UNLISTED = "UNLISTED"


class InventoryPolicy(str, Enum):
    DENY = "DENY"
    CONTINUE = "CONTINUE"


@dataclass(frozen=True)
class VariantState:
    inventory_policy: InventoryPolicy
    tracked: bool = True


@dataclass(frozen=True)
class ProductSnapshot:
    """The parts of a product the app may change, as read from Shopify."""

    product_id: str
    title: str
    status: ProductStatus
    tags: frozenset[str]
    published_on_online_store: bool
    variants: Mapping[str, VariantState]
    ship_by: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ProductStatus(self.status))
        object.__setattr__(self, "tags", frozenset(self.tags))
        object.__setattr__(self, "variants", dict(self.variants))


@dataclass(frozen=True)
class AppliedChanges:
    """What the app changed on a product, with the originals it needs to put back."""

    original_title: str | None = None
    label: PresaleLabel | None = None
    tag_added: str | None = None
    flipped_variants: Mapping[str, InventoryPolicy] = field(default_factory=dict)
    unpublished: bool = False
    drafted_from: ProductStatus | None = None
    ship_by_set: date | None = None
    ship_by_before: date | None = None

    def is_empty(self) -> bool:
        return self == AppliedChanges()

    def to_json(self) -> dict:
        """A JSON-safe dict for storing."""
        return json_safe(self)

    @classmethod
    def from_json(cls, data: Mapping | str | None) -> AppliedChanges:
        """Read what to_json stored (a dict or its JSON text); missing keys mean the app changed nothing there."""
        data = json.loads(data) if isinstance(data, str) else dict(data or {})
        day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
        return cls(
            original_title=data.get("original_title"),
            label=PresaleLabel(**data["label"]) if data.get("label") else None,
            tag_added=data.get("tag_added"),
            flipped_variants={vid: InventoryPolicy(p) for vid, p in (data.get("flipped_variants") or {}).items()},
            unpublished=bool(data.get("unpublished")),
            drafted_from=ProductStatus(data["drafted_from"]) if data.get("drafted_from") else None,
            ship_by_set=day(data.get("ship_by_set")),
            ship_by_before=day(data.get("ship_by_before")),
        )


def json_safe(value: object) -> object:
    """The value as JSON-safe data: enums by value, dates in ISO form, dataclasses as dicts."""
    if is_dataclass(value):
        return {f.name: json_safe(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: json_safe(value[key]) for key in sorted(value)}
    if isinstance(value, (tuple, list, frozenset)):
        return [json_safe(item) for item in value]
    return value

