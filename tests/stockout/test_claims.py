"""What the app claims before writing to Shopify: enough to restore whichever of the writes took effect."""

from datetime import date

from app.domain.product_changes import AppliedChanges, InventoryPolicy, ProductStatus
from app.domain.presale_label import PresaleLabel
from app.stockout.catalogue import merge_claims

PRESALE = AppliedChanges(
    original_title="Tee", label=PresaleLabel("", " [Pre-order]"), tag_added="stockout-presale",
    flipped_variants={"v1": InventoryPolicy.DENY}, ship_by_set=date(2026, 12, 1), ship_by_before=None,
)
DELIST = AppliedChanges(unpublished=True)


def test_switching_presale_to_delisted_claims_both_until_the_writes_are_confirmed():
    claims = merge_claims(PRESALE, DELIST)
    assert claims.unpublished and claims.tag_added == "stockout-presale"
    assert claims.flipped_variants == {"v1": InventoryPolicy.DENY}
    assert (claims.original_title, claims.ship_by_set) == ("Tee", date(2026, 12, 1))


def test_the_first_original_is_kept_when_both_records_name_one():
    before = AppliedChanges(flipped_variants={"v1": InventoryPolicy.DENY}, drafted_from=ProductStatus.ACTIVE,
                            ship_by_set=date(2026, 12, 1), ship_by_before=date(2026, 11, 1))
    after = AppliedChanges(flipped_variants={"v1": InventoryPolicy.CONTINUE, "v2": InventoryPolicy.DENY},
                           drafted_from=ProductStatus.UNLISTED, ship_by_set=date(2026, 12, 9),
                           ship_by_before=date(2026, 12, 1))
    claims = merge_claims(before, after)
    assert claims.flipped_variants == {"v1": InventoryPolicy.DENY, "v2": InventoryPolicy.DENY}
    assert claims.drafted_from == ProductStatus.ACTIVE
    assert (claims.ship_by_set, claims.ship_by_before) == (date(2026, 12, 9), date(2026, 11, 1))


def test_nothing_claimed_twice_is_nothing():
    assert merge_claims(AppliedChanges(), AppliedChanges()).is_empty()
