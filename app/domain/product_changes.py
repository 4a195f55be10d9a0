"""Planning the writes to Shopify that switch a product, and those that put back exactly what the app changed.

Every plan is computed from the product as it is now and the record of what the app did before, so
restoring undoes only the app's own changes that are still in place and keeps whatever the merchant
changed in between. The product's state lives in product_state and the typed writes in
product_operations; their public names are imported here too, so callers keep importing from this module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app.domain.catalogue_policy import CatalogueAction, CatalogueDecision, DelistMode, Scope
from app.domain.presale_label import PRESALE_TAG, PresaleLabel, presale_label, strip_presale_label
from app.domain.product_operations import (
    AddTags,
    ChangePlan,
    DeleteMetafield,
    Operation,
    Publish,
    RemoveTags,
    SetMetafield,
    SetStatus,
    SetTitle,
    SetVariantPolicies,
    Unpublish,
    VariantPolicyChange,
)
from app.domain.product_state import AppliedChanges, InventoryPolicy, ProductSnapshot, ProductStatus, VariantState


@dataclass(frozen=True)
class _Target:
    """The state the app wants to hold a product in; the empty target is the product as the merchant had it."""

    label: PresaleLabel | None = None
    tag: bool = False
    continue_variants: frozenset[str] = frozenset()
    ship_by: date | None = None
    unpublish: bool = False
    draft: bool = False


def plan_apply(
    current: ProductSnapshot,
    decision: CatalogueDecision,
    applied: AppliedChanges | None,
    locale: str,
    label_format: str | None = None,
) -> ChangePlan:
    """The minimal writes that bring the product to what the decision asks, replacing earlier app changes.

    NONE, WAIT_GRACE and LEAVE_ALONE plan nothing and keep the record as it is: undoing the app's
    changes on a product the merchant now wants left alone is an explicit plan_restore.
    """
    applied = applied or AppliedChanges()
    target = _target(decision, locale, label_format)
    if target is None:
        return ChangePlan(current.product_id, (), applied, decision.dry_run)
    base = _unlabelled(current.title, applied)
    if target.label is not None:
        base = strip_presale_label(base, locale, label_format)
    return _plan(current, applied, target, base, decision.dry_run)


def plan_restore(current: ProductSnapshot, applied: AppliedChanges) -> ChangePlan:
    """The writes that undo the app's changes still in place, leaving the merchant's own changes alone."""
    return _plan(current, applied, _Target(), _unlabelled(current.title, applied), dry_run=False)


def simulate(product: ProductSnapshot, plan: ChangePlan) -> ProductSnapshot:
    """The product as it will be once the plan is carried out, e.g. for a dry-run preview."""
    for op in plan.operations:
        if isinstance(op, SetVariantPolicies):
            variants = {
                vid: replace(state, inventory_policy=op.after.get(vid, state.inventory_policy))
                for vid, state in product.variants.items()
            }
            product = replace(product, variants=variants)
        elif isinstance(op, AddTags):
            product = replace(product, tags=product.tags | set(op.tags))
        elif isinstance(op, RemoveTags):
            product = replace(product, tags=product.tags - set(op.tags))
        else:
            product = replace(product, **{op.field: op.after})
    return product


def _target(decision: CatalogueDecision, locale: str, label_format: str | None) -> _Target | None:
    """What the app should hold the product in for this decision; None means leave things as they are."""
    action = decision.action
    if action in (CatalogueAction.NONE, CatalogueAction.WAIT_GRACE, CatalogueAction.LEAVE_ALONE):
        return None
    if action == CatalogueAction.DELIST:
        mode = DelistMode(decision.delist_mode or DelistMode.UNPUBLISH)
        return _Target(unpublish=mode == DelistMode.UNPUBLISH, draft=mode == DelistMode.DRAFT)
    if action == CatalogueAction.RESTORE:
        return _Target()
    if decision.ship_by is None:
        raise ValueError(f"a {action.value} decision needs a ship-by date")
    selling = frozenset(decision.variant_ids)
    if action == CatalogueAction.KEEP_SELLING:
        return _Target(continue_variants=selling, ship_by=decision.ship_by)
    whole = decision.scope == Scope.PRODUCT
    label = presale_label(decision.ship_by, locale, label_format) if whole else None
    return _Target(label=label, tag=True, continue_variants=selling, ship_by=decision.ship_by)


def _unlabelled(title: str, applied: AppliedChanges) -> str:
    """The title without the label the app added; exactly the original when nobody touched the title."""
    if applied.label is None:
        return title
    if applied.original_title is not None and title == applied.label.apply(applied.original_title):
        return applied.original_title
    return applied.label.strip(title)


def _plan(current: ProductSnapshot, applied: AppliedChanges, target: _Target, base: str, dry_run: bool) -> ChangePlan:
    """One coalesced plan: hide first, then edit, then show again, so shoppers never see a half-switched product."""
    hide: list[Operation] = []
    edit: list[Operation] = []
    show: list[Operation] = []
    unpublished = _plan_publication(current, applied, target.unpublish, hide, show)
    drafted_from = _plan_status(current, applied, target.draft, hide, show)
    flipped = _plan_policies(current, applied, target.continue_variants, edit)
    wanted_title = target.label.apply(base) if target.label else base
    if wanted_title != current.title:
        edit.append(SetTitle(current.title, wanted_title))
    tag_added = _plan_tag(current, applied, target.tag, edit)
    ship_by_set, ship_by_before = _plan_ship_by(current, applied, target.ship_by, edit)
    record = AppliedChanges(
        original_title=base if target.label else None, label=target.label, tag_added=tag_added,
        flipped_variants=flipped, unpublished=unpublished, drafted_from=drafted_from,
        ship_by_set=ship_by_set, ship_by_before=ship_by_before,
    )
    return ChangePlan(current.product_id, tuple(hide + edit + show), record, dry_run)


def _plan_publication(current: ProductSnapshot, applied: AppliedChanges, wanted: bool, hide: list, show: list) -> bool:
    """Unpublish from the Online Store; republish only what the app unpublished. Returns whether the app holds it."""
    published = current.published_on_online_store
    if wanted and published:
        hide.append(Unpublish())
    elif not wanted and applied.unpublished and not published:
        show.append(Publish())
    return wanted and (published or applied.unpublished)


def _plan_status(
    current: ProductSnapshot, applied: AppliedChanges, wanted: bool, hide: list, show: list
) -> ProductStatus | None:
    """Set a visible product to DRAFT; put back only a DRAFT the app set. Returns the status the app replaced."""
    if wanted and current.status in (ProductStatus.ACTIVE, ProductStatus.UNLISTED):
        hide.append(SetStatus(current.status, ProductStatus.DRAFT))
        return current.status
    if not wanted and applied.drafted_from and current.status == ProductStatus.DRAFT:
        show.append(SetStatus(ProductStatus.DRAFT, applied.drafted_from))
    return applied.drafted_from if wanted and current.status == ProductStatus.DRAFT else None


def _plan_policies(
    current: ProductSnapshot, applied: AppliedChanges, wanted: frozenset[str], ops: list
) -> dict[str, InventoryPolicy]:
    """Flip wanted tracked variants to CONTINUE and put back the ones the app flipped that are no longer wanted."""
    flipped: dict[str, InventoryPolicy] = {}
    changes = []
    for variant_id, state in sorted(current.variants.items()):
        original = applied.flipped_variants.get(variant_id)
        if variant_id in wanted and state.tracked:
            if state.inventory_policy == InventoryPolicy.DENY:
                changes.append(VariantPolicyChange(variant_id, InventoryPolicy.DENY, InventoryPolicy.CONTINUE))
                flipped[variant_id] = original or InventoryPolicy.DENY
            elif original is not None:
                flipped[variant_id] = original
        elif original is not None and state.inventory_policy == InventoryPolicy.CONTINUE:
            changes.append(VariantPolicyChange(variant_id, InventoryPolicy.CONTINUE, original))
    if changes:
        ops.append(SetVariantPolicies(tuple(changes)))
    return flipped


def _plan_tag(current: ProductSnapshot, applied: AppliedChanges, wanted: bool, ops: list) -> str | None:
    """Add the presale tag when missing; remove it only if the app added it. Returns the tag the app owns."""
    tags = sorted(current.tags)
    if wanted:
        if not any(tag.lower() == PRESALE_TAG for tag in current.tags):
            ops.append(AddTags((PRESALE_TAG,), tuple(tags), tuple(sorted(current.tags | {PRESALE_TAG}))))
            return PRESALE_TAG
        return applied.tag_added if applied.tag_added in current.tags else None
    if applied.tag_added and applied.tag_added in current.tags:
        ops.append(RemoveTags((applied.tag_added,), tuple(tags), tuple(sorted(current.tags - {applied.tag_added}))))
    return None


def _plan_ship_by(
    current: ProductSnapshot, applied: AppliedChanges, wanted: date | None, ops: list
) -> tuple[date | None, date | None]:
    """Write the ship-by metafield; undo only a value the app wrote. Returns (value set, value before)."""
    ours = applied.ship_by_set is not None
    if wanted is not None:
        before = applied.ship_by_before if ours else current.ship_by
        if current.ship_by != wanted:
            ops.append(SetMetafield(current.ship_by, wanted))
            return wanted, before
        return (wanted, before) if ours else (None, None)
    if ours and current.ship_by == applied.ship_by_set:
        before = applied.ship_by_before
        ops.append(DeleteMetafield(current.ship_by) if before is None else SetMetafield(current.ship_by, before))
    return None, None
