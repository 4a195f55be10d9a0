"""The typed writes to Shopify that change one product, and a plan that orders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from app.domain.product_state import AppliedChanges, InventoryPolicy, ProductStatus, json_safe


class _Operation:
    """One write to Shopify; `field` names the snapshot attribute it changes."""

    field: ClassVar[str]

    def history(self) -> dict:
        """The field changed and its JSON-safe before and after, for the change history."""
        return {"field": self.field, "before": json_safe(self.before), "after": json_safe(self.after)}


@dataclass(frozen=True)
class SetTitle(_Operation):
    field: ClassVar[str] = "title"
    before: str
    after: str


@dataclass(frozen=True)
class AddTags(_Operation):
    field: ClassVar[str] = "tags"
    tags: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class RemoveTags(_Operation):
    field: ClassVar[str] = "tags"
    tags: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class VariantPolicyChange:
    variant_id: str
    before: InventoryPolicy
    after: InventoryPolicy


@dataclass(frozen=True)
class SetVariantPolicies(_Operation):
    """All inventory-policy changes of one product, for one productVariantsBulkUpdate."""

    field: ClassVar[str] = "variants"
    changes: tuple[VariantPolicyChange, ...]

    @property
    def before(self) -> dict[str, InventoryPolicy]:
        return {change.variant_id: change.before for change in self.changes}

    @property
    def after(self) -> dict[str, InventoryPolicy]:
        return {change.variant_id: change.after for change in self.changes}


@dataclass(frozen=True)
class Publish(_Operation):
    field: ClassVar[str] = "published_on_online_store"
    before: bool = False
    after: bool = True


@dataclass(frozen=True)
class Unpublish(_Operation):
    field: ClassVar[str] = "published_on_online_store"
    before: bool = True
    after: bool = False


@dataclass(frozen=True)
class SetStatus(_Operation):
    field: ClassVar[str] = "status"
    before: ProductStatus
    after: ProductStatus


@dataclass(frozen=True)
class SetMetafield(_Operation):
    """Write the ship-by metafield (presale_label.SHIP_BY_NAMESPACE/KEY/TYPE)."""

    field: ClassVar[str] = "ship_by"
    before: date | None
    after: date


@dataclass(frozen=True)
class DeleteMetafield(_Operation):
    """Delete the ship-by metafield."""

    field: ClassVar[str] = "ship_by"
    before: date
    after: None = None


Operation = (
    SetTitle | AddTags | RemoveTags | SetVariantPolicies | Publish | Unpublish | SetStatus
    | SetMetafield | DeleteMetafield
)


@dataclass(frozen=True)
class ChangePlan:
    """The writes for one product, in order, and the record of app changes once they are done.

    In dry run the caller records the operations but neither carries them out nor stores `applied`.
    """

    product_id: str
    operations: tuple[Operation, ...]
    applied: AppliedChanges
    dry_run: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.operations

