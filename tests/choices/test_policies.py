"""The pure decisions behind choices: substitutes, offers, delays, batches, refunds, who is served first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.choices.batch_policy import next_batch
from app.choices.delay_policy import judge_delay
from app.choices.offer_policy import Candidate, Pick, ShortLine, build_offer, choose_substitutes, combine_picks
from app.choices.picks import allocate_cover, is_combined, is_line_pick, picks_in
from app.choices.refunds import plan_refund
from app.choices.shopify_order import OrderLine, OrderSnapshot
from app.choices.strings import refund_timing_key
from app.choices.waiting import units_for_waiting
from app.domain.compensation import CompensationKind, CompensationRule, Option, OrderFacts, preset
from app.domain.money import Money

LINE = ShortLine(variant_gid="v0", product_gid="p1", product_type="Shirt", title="Linen Shirt",
                 unit_price=Decimal("100"), quantity_short=2)


def _candidate(gid, product="p1", kind="Shirt", price="100", available=5, for_sale=True):
    return Candidate(gid, product, kind, gid, Decimal(price), available, for_sale)


def test_substitutes_are_same_product_first_then_same_type_within_thirty_percent():
    found = choose_substitutes(LINE, [
        _candidate("type-close", product="p2", price="105"),
        _candidate("same-dear", price="129"),
        _candidate("same-equal", price="100"),
        _candidate("too-dear", price="131"),
        _candidate("too-cheap", product="p3", price="69"),
        _candidate("other-type", product="p4", kind="Dress", price="100"),
        _candidate("one-left", available=1),
        _candidate("not-for-sale", for_sale=False),
        _candidate("v0"),
        _candidate("type-far", product="p5", price="72"),
    ])
    assert [c.variant_gid for c in found] == ["same-equal", "same-dear", "type-close"]
    assert [c.variant_gid for c in choose_substitutes(LINE, [_candidate("type-far", product="p5", price="72")])] == [
        "type-far"]


def test_the_offer_settles_a_substitutes_price_difference_by_the_rule():
    rules = {**preset("platform_standard").rules,
             Option.SUBSTITUTE: CompensationRule(cover_price_difference_up_to=Decimal("30"))}
    order = OrderFacts(Money("300", "USD"), Money("200", "USD"))
    offer = build_offer([LINE], order, rules, [[_candidate("dear", price="120"), _candidate("cheap", price="90")]],
                        refund_amount=Money("200", "USD"), today=date(2026, 11, 24))
    assert [spec.key for spec in offer] == ["wait", "substitute:dear", "substitute:cheap", "refund"]
    dear, cheap = offer[1], offer[2]
    assert dear.price_difference == Money("40.00", "USD")
    assert (dear.grant.price_difference.covered, dear.grant.price_difference.customer_pays) == (
        Money("30.00", "USD"), Money("10.00", "USD"))
    assert cheap.grant.price_difference.refund == Money("20.00", "USD")
    assert offer[0].grant.amount == Money("15.00", "USD") and offer[3].grant.amount == Money("15.00", "USD")
    assert offer[3].grant.ends_on == date(2026, 12, 24)


def test_with_several_short_lines_each_line_gets_its_substitutes_to_pick_from():
    rules = preset("waiting_reward").rules
    order = OrderFacts(Money("300", "USD"), Money("200", "USD"))
    lines = [replace(LINE, line_gid="gid://shopify/LineItem/7"),
             replace(LINE, variant_gid="w0", product_gid="p2", line_gid="gid://shopify/LineItem/8")]
    offer = build_offer(lines, order, rules, [[_candidate("gid://shopify/ProductVariant/1")],
                                              [_candidate("gid://shopify/ProductVariant/2", product="p2"),
                                               _candidate("gid://shopify/ProductVariant/3", product="p2")]],
                        refund_amount=Money("200", "USD"), today=date(2026, 11, 24))
    assert [spec.key for spec in offer] == ["wait", "substitute:1@7", "substitute:2@8", "substitute:3@8", "refund"]
    assert [spec.line_gid for spec in offer[1:4]] == ["gid://shopify/LineItem/7"] + ["gid://shopify/LineItem/8"] * 2
    assert all(is_line_pick(spec.key) for spec in offer[1:4])
    assert offer[0].grant.priority_shipping and offer[0].grant.kind == CompensationKind.FIXED_AMOUNT
    assert offer[-1].grant is None


def test_no_substitutes_are_offered_when_one_of_several_short_lines_has_none():
    order = OrderFacts(Money("300", "USD"), Money("200", "USD"))
    lines = [replace(LINE, line_gid="l1"), replace(LINE, line_gid="l2")]
    offer = build_offer(lines, order, preset("waiting_reward").rules, [[_candidate("x")], []],
                        refund_amount=Money("200", "USD"), today=date(2026, 11, 24))
    assert [spec.option for spec in offer] == [Option.WAIT, Option.REFUND]


def _pick(line_gid, variant, price):
    return Pick(line_gid=line_gid, variant_gid=f"gid://shopify/ProductVariant/{variant}", title=variant,
                unit_price=Decimal(price))


@pytest.mark.parametrize("first, second, covered, pays, refund", [
    ("120", "100", "30.00", "10.00", "0.00"),   # +40 on the first line (2 units): the rule covers 30
    ("120", "90", "30.00", "0.00", "0.00"),     # +40 and -10 net +30: all covered
    ("105", "80", "0.00", "0.00", "10.00"),     # +10 and -20 net -10: refunded
    ("100", "100", "0.00", "0.00", "0.00"),
])
def test_picks_for_several_lines_settle_the_net_difference_once(first, second, covered, pays, refund):
    lines = [replace(LINE, line_gid="gid://shopify/LineItem/7"),
             replace(LINE, line_gid="gid://shopify/LineItem/8", quantity_short=1)]
    rule = CompensationRule(cover_price_difference_up_to=Decimal("30"))
    picks = [_pick("gid://shopify/LineItem/8", "5", second), _pick("gid://shopify/LineItem/7", "4", first)]
    spec = combine_picks(lines, picks, OrderFacts(Money("300", "USD"), Money("300", "USD")), rule,
                         today=date(2026, 11, 24))
    assert spec.key == "substitute:4@7+5@8" and spec.title == "4 + 5" and is_combined(spec.key)
    settled = spec.grant.price_difference
    assert (settled.covered, settled.customer_pays, settled.refund) == (
        Money(covered, "USD"), Money(pays, "USD"), Money(refund, "USD"))


def test_picks_must_name_each_short_line_once():
    lines = [replace(LINE, line_gid="a"), replace(LINE, line_gid="b")]
    facts = OrderFacts(Money("300", "USD"), Money("300", "USD"))
    for picks in ([_pick("a", "1", "100")], [_pick("a", "1", "100"), _pick("a", "2", "100")],
                  [_pick("a", "1", "100"), _pick("c", "2", "100")]):
        with pytest.raises(ValueError):
            combine_picks(lines, picks, facts, CompensationRule(), today=date(2026, 11, 24))


def test_the_covered_amount_goes_to_the_dearer_lines_in_order_never_beyond_their_extra_cost():
    assert allocate_cover(Decimal("30"), [Decimal("20"), Decimal("-5"), Decimal("25")]) == [
        Decimal("20"), Decimal("0"), Decimal("10")]
    assert allocate_cover(Decimal("0"), [Decimal("20")]) == [Decimal("0")]
    assert picks_in("substitute:gid://shopify/ProductVariant/1") == [] and picks_in("refund") == []


D = date(2026, 12, 1)


@pytest.mark.parametrize("previous, old, new, is_delay, needs_consent", [
    (0, D, date(2026, 12, 31), True, False),
    (0, D, date(2027, 1, 1), True, True),
    (1, D, date(2026, 12, 5), True, True),
    (0, D, None, True, True),
    (0, D, date(2026, 11, 28), False, False),
    (0, None, date(2026, 12, 20), True, False),
    (0, None, date(2027, 2, 1), True, True),
    (0, None, None, False, False),
])
def test_silence_is_agreement_only_for_a_first_delay_of_at_most_thirty_days(previous, old, new, is_delay,
                                                                            needs_consent):
    decision = judge_delay(previous, old, new, today=date(2026, 11, 24))
    assert (decision.is_delay, decision.needs_consent) == (is_delay, needs_consent)


@pytest.mark.parametrize("available, multiplier, waiting, published, minimum, size, stop", [
    (3, "1", 10, True, 1, 3, None),
    (3, "1.5", 10, True, 1, 4, None),
    (3, "1", 2, True, 1, 2, None),
    (0, "1", 10, True, 1, 0, "sold out again"),
    (2, "1", 10, True, 5, 0, "below the minimum"),
    (3, "1", 10, False, 1, 0, "not published"),
    (3, "1", 0, True, 1, 0, "no one is waiting"),
    (1, "0.2", 10, True, 1, 1, None),
])
def test_batches_are_sized_by_units_times_multiplier(available, multiplier, waiting, published, minimum, size, stop):
    decision = next_batch(available, Decimal(multiplier), waiting, published=published, minimum=minimum)
    assert decision.size == size
    assert (decision.stop_reason is None) if stop is None else (stop in decision.stop_reason)


def _order(*lines):
    return OrderSnapshot("o", "USD", tuple(OrderLine(gid, None, None, q, u, q, Decimal(10)) for gid, q, u in lines),
                         (), ())


def test_shipping_is_refunded_only_when_the_order_ships_nothing_at_all():
    assert plan_refund(_order(("a", 2, 2)), {"a": 2}).refund_shipping is True
    partial = plan_refund(_order(("a", 2, 2), ("b", 1, 1)), {"a": 2})
    assert partial.lines == (("a", 2),) and partial.refund_shipping is False
    assert plan_refund(_order(("a", 2, 2)), {"a": 1}).refund_shipping is False
    shipped_rest = plan_refund(_order(("a", 1, 1), ("b", 1, 0)), {"a": 1})
    assert shipped_rest.lines == (("a", 1),) and shipped_rest.refund_shipping is False
    assert plan_refund(_order(("a", 1, 0)), {"a": 1}).lines == ()


def test_waiting_orders_are_covered_once_the_missing_units_arrive():
    assert units_for_waiting([1, 2, 1], available=-4) == 0
    assert units_for_waiting([1, 2, 1], available=-1) == 3
    assert units_for_waiting([1, 2, 1], available=5) == 4


@pytest.mark.parametrize("gateway, key", [
    ("shopify_payments", "days_card"), ("bogus", "days_card"), ("paypal", "days_wallet"),
    ("gift_card", "days_gift_card"), ("Cash on Delivery (COD)", "days_manual"), (None, "days_card"),
])
def test_refund_timing_wording_follows_the_payment_method(gateway, key):
    assert refund_timing_key(gateway) == key
