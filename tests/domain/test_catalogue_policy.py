"""Catalogue policy: every branch of keep selling / presale / delist / grace / restore, and its boundaries."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.catalogue_policy import (
    CatalogueAction as A,
    CatalogueThresholds,
    DecisionReason as R,
    DelistMode,
    ProductOverride,
    ProductStock,
    RestockInfo,
    RestockReason,
    Scope,
    VariantStock,
    decide_catalogue_action,
    sellable_available,
)

TODAY = date(2026, 10, 10)
NOW = datetime(2026, 10, 10, 8, 0, tzinfo=UTC)
DEFAULTS = CatalogueThresholds()
FOLLOW = ProductOverride.FOLLOW_RULES


def restock_in(days, reason=RestockReason.SUPPLIER_SHORTAGE):
    return None if days is None else RestockInfo(TODAY + timedelta(days=days), reason)


def decide(stock, restock=None, thresholds=DEFAULTS, override=FOLLOW, **keywords):
    return decide_catalogue_action(stock, restock, thresholds, override, TODAY, **keywords)


@pytest.mark.parametrize(
    ("available", "days", "action", "reason", "days_until"),
    [
        (5, None, A.NONE, R.IN_STOCK, None),
        (1, 30, A.NONE, R.IN_STOCK, None),
        (0, 0, A.KEEP_SELLING, R.RESTOCK_SOON, 0),
        (0, 1, A.KEEP_SELLING, R.RESTOCK_SOON, 1),
        (0, 3, A.KEEP_SELLING, R.RESTOCK_SOON, 3),
        (0, 4, A.PRESALE, R.RESTOCK_WITHIN_PRESALE, 4),
        (0, 7, A.PRESALE, R.RESTOCK_WITHIN_PRESALE, 7),
        (0, 8, A.DELIST, R.RESTOCK_TOO_FAR, 8),
        (0, None, A.DELIST, R.RESTOCK_UNKNOWN, None),
        (0, -1, A.DELIST, R.RESTOCK_DATE_PASSED, None),
        (-3, 5, A.PRESALE, R.RESTOCK_WITHIN_PRESALE, 5),
        (-3, None, A.DELIST, R.RESTOCK_UNKNOWN, None),
    ],
)
def test_single_variant_table(available, days, action, reason, days_until):
    decision = decide(VariantStock("v1", available), restock_in(days))
    assert (decision.action, decision.reason, decision.days_until) == (action, reason, days_until)
    if action in (A.KEEP_SELLING, A.PRESALE):
        assert decision.ship_by == TODAY + timedelta(days=days)
        assert decision.variant_ids == ("v1",)
    else:
        assert decision.ship_by is None
    assert decision.delist_mode == (DelistMode.UNPUBLISH if action == A.DELIST else None)


def test_past_date_is_stale_and_said_so():
    decision = decide(VariantStock("v1", 0), restock_in(-2))
    assert decision.action == A.DELIST
    assert decision.reason == R.RESTOCK_DATE_PASSED
    assert decision.restock_date_stale is True
    assert decision.ship_by is None


def test_unknown_reason_without_date_never_gets_a_guessed_date():
    decision = decide(VariantStock("v1", 0), RestockInfo(None, RestockReason.UNKNOWN))
    assert (decision.action, decision.ship_by, decision.days_until) == (A.DELIST, None, None)
    assert decision.restock_reason == RestockReason.UNKNOWN


def test_restock_reason_is_carried_for_messages():
    decision = decide(VariantStock("v1", 0), restock_in(5, RestockReason.DEMAND_SPIKE))
    assert decision.restock_reason == RestockReason.DEMAND_SPIKE


@pytest.mark.parametrize(
    ("app_changed", "action", "reason"),
    [(False, A.NONE, R.IN_STOCK), (True, A.RESTORE, R.BACK_IN_STOCK)],
)
def test_back_in_stock_restores_only_what_the_app_changed(app_changed, action, reason):
    decision = decide(VariantStock("v1", 4), restock_in(None), app_changed=app_changed)
    assert (decision.action, decision.reason) == (action, reason)


@pytest.mark.parametrize(("app_changed", "action"), [(False, A.NONE), (True, A.RESTORE)])
def test_untracked_stock_is_never_switched(app_changed, action):
    decision = decide(VariantStock("v1", -5, tracked=False), restock_in(None), app_changed=app_changed)
    assert (decision.action, decision.reason) == (action, R.UNTRACKED)


@pytest.mark.parametrize(
    ("available", "safety_stock", "safety_level", "out"),
    [
        (2, 2, None, True), (3, 2, None, False), (3, 0, 3, True),
        (4, 5, 3, False), (0, 0, None, True), (1, 0, None, False),
    ],
)
def test_safety_level_counts_as_out_of_stock(available, safety_stock, safety_level, out):
    thresholds = CatalogueThresholds(safety_stock=safety_stock)
    decision = decide(VariantStock("v1", available, safety_level=safety_level), restock_in(5), thresholds)
    assert decision.action == (A.PRESALE if out else A.NONE)


@pytest.mark.parametrize("days", [None, -1, 0, 5, 30])
def test_leave_alone_always_wins(days):
    decision = decide(VariantStock("v1", 0), restock_in(days), override=ProductOverride.LEAVE_ALONE, app_changed=True)
    assert (decision.action, decision.reason) == (A.LEAVE_ALONE, R.MERCHANT_OVERRIDE)


@pytest.mark.parametrize(("days", "action"), [(2, A.KEEP_SELLING), (6, A.PRESALE), (None, A.DELIST), (3, A.NONE)])
def test_dry_run_decides_the_same_and_flags_it(days, action):
    available = 5 if action == A.NONE else 0
    wet = decide(VariantStock("v1", available), restock_in(days))
    dry = decide(VariantStock("v1", available), restock_in(days), CatalogueThresholds(dry_run=True))
    assert dry.action == wet.action == action
    assert (dry.dry_run, wet.dry_run) == (True, False)


def test_delist_mode_follows_the_setting():
    decision = decide(VariantStock("v1", 0), None, CatalogueThresholds(delist_mode="draft"))
    assert decision.delist_mode == DelistMode.DRAFT


@pytest.mark.parametrize(("short", "presale", "days", "action"), [
    (0, 0, 0, A.KEEP_SELLING), (0, 0, 1, A.DELIST), (1, 14, 10, A.PRESALE), (5, 5, 5, A.KEEP_SELLING),
])
def test_merchant_thresholds(short, presale, days, action):
    thresholds = CatalogueThresholds(short_days=short, presale_days=presale)
    assert decide(VariantStock("v1", 0), restock_in(days), thresholds).action == action


@pytest.mark.parametrize(
    "settings",
    [{"short_days": -1}, {"short_days": 5, "presale_days": 4}, {"grace_minutes": -1},
     {"safety_stock": -1}, {"delist_mode": "hide"}],
)
def test_nonsense_thresholds_are_refused(settings):
    with pytest.raises(ValueError):
        CatalogueThresholds(**settings)


def product(*variants, since=None):
    return ProductStock("p1", tuple(variants), since)


def test_whole_product_is_switched_when_all_tracked_variants_are_out():
    stock = product(VariantStock("v1", 0), VariantStock("v2", -1), VariantStock("v3", 9, tracked=False))
    decision = decide(stock, restock_in(5))
    assert (decision.action, decision.scope, decision.variant_ids) == (A.PRESALE, Scope.PRODUCT, ("v1", "v2"))


@pytest.mark.parametrize(("days", "action"), [(2, A.KEEP_SELLING), (6, A.PRESALE)])
def test_some_variants_out_switch_only_those_variants(days, action):
    decision = decide(product(VariantStock("v1", 0), VariantStock("v2", 3)), restock_in(days))
    assert (decision.action, decision.scope, decision.variant_ids) == (action, Scope.VARIANTS, ("v1",))


@pytest.mark.parametrize(
    ("days", "app_changed", "action", "stale"),
    [
        (None, False, A.NONE, False), (20, False, A.NONE, False),
        (-1, False, A.NONE, True), (None, True, A.RESTORE, False),
    ],
)
def test_some_variants_out_without_usable_date_are_never_delisted(days, app_changed, action, stale):
    stock = product(VariantStock("v1", 0), VariantStock("v2", 3))
    decision = decide(stock, restock_in(days), app_changed=app_changed)
    assert (decision.action, decision.reason, decision.scope) == (action, R.SOME_VARIANTS_OUT, Scope.VARIANTS)
    assert decision.restock_date_stale is stale
    assert decision.variant_ids == ("v1",)


def test_grace_period_waits_before_delisting():
    thresholds = CatalogueThresholds(grace_minutes=30)
    decision = decide(product(VariantStock("v1", 0), since=NOW - timedelta(minutes=10)), None, thresholds, now=NOW)
    assert decision.action == A.WAIT_GRACE
    assert decision.reason == R.RESTOCK_UNKNOWN
    assert decision.recheck_at == NOW + timedelta(minutes=20)


@pytest.mark.parametrize("minutes_ago", [30, 45])
def test_grace_period_over_delists(minutes_ago):
    thresholds = CatalogueThresholds(grace_minutes=30)
    stock = product(VariantStock("v1", 0), since=NOW - timedelta(minutes=minutes_ago))
    decision = decide(stock, None, thresholds, now=NOW)
    assert decision.action == A.DELIST


def test_grace_counts_from_now_when_the_stockout_was_just_seen():
    thresholds = CatalogueThresholds(grace_minutes=15)
    decision = decide(VariantStock("v1", 0), restock_in(-3), thresholds, now=NOW)
    assert decision.action == A.WAIT_GRACE
    assert decision.recheck_at == NOW + timedelta(minutes=15)
    assert decision.restock_date_stale is True


def test_grace_does_not_delay_presale():
    thresholds = CatalogueThresholds(grace_minutes=30)
    assert decide(VariantStock("v1", 0), restock_in(5), thresholds, now=NOW).action == A.PRESALE


def test_grace_needs_the_current_time():
    with pytest.raises(ValueError, match="now"):
        decide(VariantStock("v1", 0), None, CatalogueThresholds(grace_minutes=5))


@pytest.mark.parametrize(
    ("levels", "selling", "expected"),
    [
        ({"a": 3, "b": 4}, ["a", "b"], 7),
        ({"a": 3, "b": 4, "warehouse": 100}, ["a", "b"], 7),
        ({"a": 3}, ["a", "b"], 3),
        ({"a": -2, "b": 1}, ["a", "b"], -1),
        ({"a": 3, "b": 4}, ["a", "a"], 3),
        ({"a": 3}, [], 0),
    ],
)
def test_sellable_available_sums_selling_locations(levels, selling, expected):
    assert sellable_available(levels, selling) == expected


def test_multiple_locations_feed_the_decision():
    available = sellable_available({"shop": 0, "online": -1, "closed": 50}, ["shop", "online"])
    assert decide(VariantStock("v1", available), restock_in(1)).action == A.KEEP_SELLING


def test_lead_time_becomes_a_date():
    restock = RestockInfo.from_lead_time(6, TODAY, "supplier_shortage")
    assert restock == RestockInfo(date(2026, 10, 16), RestockReason.SUPPLIER_SHORTAGE)
    with pytest.raises(ValueError):
        RestockInfo.from_lead_time(-1, TODAY)


@given(
    available=st.integers(-20, 20),
    safety=st.integers(0, 5),
    days=st.one_of(st.none(), st.integers(-30, 60)),
    short=st.integers(0, 10),
    extra=st.integers(0, 10),
)
def test_action_follows_the_rules_for_any_single_variant(available, safety, days, short, extra):
    thresholds = CatalogueThresholds(short_days=short, presale_days=short + extra, safety_stock=safety)
    decision = decide(VariantStock("v1", available), restock_in(days), thresholds)
    if available > safety:
        expected = A.NONE
    elif days is None or days < 0 or days > short + extra:
        expected = A.DELIST
    else:
        expected = A.KEEP_SELLING if days <= short else A.PRESALE
    assert decision.action == expected
    assert (decision.ship_by is not None) == (expected in (A.KEEP_SELLING, A.PRESALE))
