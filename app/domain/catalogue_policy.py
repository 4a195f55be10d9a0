"""What to do with a product that runs out: keep selling, presale, delist, wait or restore.

Decisions are per product. When all its tracked variants are out the product is switched as a whole
(presale label on the title, or delisted). When only some are out the product stays listed: the
sold-out variants are switched to keep selling or presale on their own (the inventory policy is per
variant), and without a usable restock date they simply show as sold out, because delisting would
hide the variants that are still in stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum


class RestockReason(str, Enum):
    SUPPLIER_SHORTAGE = "supplier_shortage"
    INVENTORY_SYNC_DELAY = "inventory_sync_delay"
    DEMAND_SPIKE = "demand_spike"
    DAMAGED_STOCK = "damaged_stock"
    OTHER = "other"
    UNKNOWN = "unknown"


class DelistMode(str, Enum):
    UNPUBLISH = "unpublish"
    DRAFT = "draft"


class ProductOverride(str, Enum):
    FOLLOW_RULES = "follow_rules"
    LEAVE_ALONE = "leave_alone"


class CatalogueAction(str, Enum):
    NONE = "none"
    RESTORE = "restore"
    KEEP_SELLING = "keep_selling"
    PRESALE = "presale"
    DELIST = "delist"
    WAIT_GRACE = "wait_grace"
    LEAVE_ALONE = "leave_alone"


class DecisionReason(str, Enum):
    """Why the action was chosen, in terms the merchant can be shown."""

    IN_STOCK = "in_stock"
    BACK_IN_STOCK = "back_in_stock"
    UNTRACKED = "untracked"
    MERCHANT_OVERRIDE = "merchant_override"
    RESTOCK_SOON = "restock_soon"
    RESTOCK_WITHIN_PRESALE = "restock_within_presale"
    RESTOCK_TOO_FAR = "restock_too_far"
    RESTOCK_UNKNOWN = "restock_unknown"
    RESTOCK_DATE_PASSED = "restock_date_passed"
    SOME_VARIANTS_OUT = "some_variants_out"


class Scope(str, Enum):
    """Whether the whole product or only some of its variants are switched."""

    PRODUCT = "product"
    VARIANTS = "variants"


@dataclass(frozen=True)
class VariantStock:
    """One variant's sellable stock; a safety_level of None means the merchant's default."""

    variant_id: str
    available: int
    tracked: bool = True
    safety_level: int | None = None


@dataclass(frozen=True)
class ProductStock:
    """A product's variants, and since when it has been out of stock (None: it just ran out)."""

    product_id: str
    variants: tuple[VariantStock, ...]
    out_of_stock_since: datetime | None = None


@dataclass(frozen=True)
class RestockInfo:
    """When stock is expected back and why it ran out; no date means unknown, never guessed."""

    expected_on: date | None = None
    reason: RestockReason = RestockReason.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", RestockReason(self.reason))

    @classmethod
    def from_lead_time(
        cls, lead_days: int, today: date, reason: RestockReason = RestockReason.UNKNOWN
    ) -> RestockInfo:
        """A restock date `lead_days` after today, for suppliers that quote a lead time."""
        if lead_days < 0:
            raise ValueError(f"a lead time must be 0 days or more, got {lead_days}")
        return cls(today + timedelta(days=lead_days), reason)


@dataclass(frozen=True)
class CatalogueThresholds:
    """The merchant's thresholds, defaulting to the recommended ones."""

    short_days: int = 3
    presale_days: int = 7
    delist_mode: DelistMode = DelistMode.UNPUBLISH
    grace_minutes: int = 0
    safety_stock: int = 0
    dry_run: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "delist_mode", DelistMode(self.delist_mode))
        if self.short_days < 0:
            raise ValueError(f"short_days must be 0 or more, got {self.short_days}")
        if self.presale_days < self.short_days:
            raise ValueError(f"presale_days ({self.presale_days}) must not be less than short_days ({self.short_days})")
        if self.grace_minutes < 0 or self.safety_stock < 0:
            raise ValueError("grace_minutes and safety_stock must be 0 or more")


@dataclass(frozen=True)
class CatalogueDecision:
    """The action for one product, and what the merchant and the change planner need to know about it."""

    action: CatalogueAction
    reason: DecisionReason
    scope: Scope = Scope.PRODUCT
    variant_ids: tuple[str, ...] = ()
    ship_by: date | None = None
    days_until: int | None = None
    delist_mode: DelistMode | None = None
    recheck_at: datetime | None = None
    restock_reason: RestockReason = RestockReason.UNKNOWN
    restock_date_stale: bool = False
    dry_run: bool = False


def sellable_available(levels: Mapping[str, int], selling_location_ids: Iterable[str]) -> int:
    """Available units summed over the locations the shop sells from; an oversold location counts negative."""
    return sum(levels.get(location_id, 0) for location_id in set(selling_location_ids))


def decide_catalogue_action(
    stock: VariantStock | ProductStock,
    restock: RestockInfo | None,
    thresholds: CatalogueThresholds,
    override: ProductOverride,
    today: date,
    *,
    app_changed: bool = False,
    now: datetime | None = None,
) -> CatalogueDecision:
    """Decide what to do with a product from its stock, restock date and the merchant's settings.

    `today` is the shop's local date, as restock dates are calendar dates; `now` (aware UTC) is
    needed only when a grace period before delisting is set.
    """
    product = stock if isinstance(stock, ProductStock) else ProductStock(stock.variant_id, (stock,))
    restock = restock or RestockInfo()
    decide = _Decide(thresholds, restock, app_changed)
    if ProductOverride(override) == ProductOverride.LEAVE_ALONE:
        return decide.make(CatalogueAction.LEAVE_ALONE, DecisionReason.MERCHANT_OVERRIDE)
    tracked = [v for v in product.variants if v.tracked]
    if not tracked:
        return decide.settled(DecisionReason.UNTRACKED)
    out = tuple(v.variant_id for v in tracked if v.available <= _safety_level(v, thresholds))
    if not out:
        return decide.settled(DecisionReason.BACK_IN_STOCK if app_changed else DecisionReason.IN_STOCK)
    scope = Scope.PRODUCT if len(out) == len(tracked) else Scope.VARIANTS
    days_until = (restock.expected_on - today).days if restock.expected_on else None
    stale = days_until is not None and days_until < 0
    if days_until is not None and 0 <= days_until <= thresholds.presale_days:
        soon = days_until <= thresholds.short_days
        return decide.make(
            CatalogueAction.KEEP_SELLING if soon else CatalogueAction.PRESALE,
            DecisionReason.RESTOCK_SOON if soon else DecisionReason.RESTOCK_WITHIN_PRESALE,
            scope=scope, variant_ids=out, ship_by=restock.expected_on, days_until=days_until,
        )
    shown_days = None if stale else days_until
    if scope == Scope.VARIANTS:
        action = CatalogueAction.RESTORE if app_changed else CatalogueAction.NONE
        return decide.make(
            action, DecisionReason.SOME_VARIANTS_OUT, scope=scope, variant_ids=out, days_until=shown_days, stale=stale
        )
    reason = _delist_reason(days_until)
    recheck_at = _grace_ends(product, thresholds, now)
    if recheck_at is not None:
        return decide.make(
            CatalogueAction.WAIT_GRACE, reason, variant_ids=out, days_until=shown_days,
            recheck_at=recheck_at, stale=stale,
        )
    return decide.make(
        CatalogueAction.DELIST, reason, variant_ids=out, days_until=shown_days,
        delist_mode=thresholds.delist_mode, stale=stale,
    )


def _safety_level(variant: VariantStock, thresholds: CatalogueThresholds) -> int:
    return thresholds.safety_stock if variant.safety_level is None else variant.safety_level


def _delist_reason(days_until: int | None) -> DecisionReason:
    if days_until is None:
        return DecisionReason.RESTOCK_UNKNOWN
    if days_until < 0:
        return DecisionReason.RESTOCK_DATE_PASSED
    return DecisionReason.RESTOCK_TOO_FAR


def _grace_ends(product: ProductStock, thresholds: CatalogueThresholds, now: datetime | None) -> datetime | None:
    """When the grace period before delisting ends, or None when there is none or it is over."""
    if thresholds.grace_minutes == 0:
        return None
    if now is None:
        raise ValueError("a grace period is set, so the current time `now` must be given")
    ends = (product.out_of_stock_since or now) + timedelta(minutes=thresholds.grace_minutes)
    return ends if now < ends else None


@dataclass(frozen=True)
class _Decide:
    """Fills in the fields every decision shares."""

    thresholds: CatalogueThresholds
    restock: RestockInfo
    app_changed: bool

    def make(
        self, action: CatalogueAction, reason: DecisionReason, *, stale: bool = False, **fields
    ) -> CatalogueDecision:
        return CatalogueDecision(
            action, reason, restock_reason=self.restock.reason, restock_date_stale=stale,
            dry_run=self.thresholds.dry_run, **fields,
        )

    def settled(self, reason: DecisionReason) -> CatalogueDecision:
        """Nothing to switch: undo what the app did, if it did anything."""
        return self.make(CatalogueAction.RESTORE if self.app_changed else CatalogueAction.NONE, reason)
