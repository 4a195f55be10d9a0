"""The report's arithmetic, table-driven over plain rows: rates, medians, costs, reasons, top products, risk."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.reports import cache, csv_export
from app.reports.arithmetic import (
    CaseTally,
    CompensationFact,
    NoticeTally,
    ShortLineFact,
    StockFact,
    days_of_cover,
    median_minutes,
    month_bounds,
    month_figures,
    month_of,
    monthly_figures,
    months_ending,
    products_at_risk,
    ratio,
    suggested_reorder,
    top_products,
)
from app.reports.charts import Point, bar_chart, column_chart

MONTH = "2026-11"


@pytest.mark.parametrize("part, whole, expected", [
    (1, 8, Decimal("0.1250")), (2, 3, Decimal("0.6667")), (0, 5, Decimal("0.0000")), (3, 0, None), (1, -1, None),
])
def test_ratio_is_four_places_half_up_and_none_without_a_whole(part, whole, expected):
    assert ratio(part, whole) == expected


def test_month_figures_from_tallies():
    tallies = [
        CaseTally(MONTH, "supplier_shortage", "refund", 1, satisfaction_total=5, satisfaction_answers=1),
        CaseTally(MONTH, "supplier_shortage", "substitute", 1, satisfaction_total=4, satisfaction_answers=1),
        CaseTally(MONTH, "demand_spike", "refund", 1, satisfaction_total=2, satisfaction_answers=1),
        CaseTally(MONTH, "demand_spike", None, 1),
    ]
    notices = [NoticeTally(MONTH, 10, 1, 615.0), NoticeTally(MONTH, 30, 1, 1800.0), NoticeTally(MONTH, 90, 1, 5431.6)]
    costs = [CompensationFact(MONTH, Decimal("12.50"), "CNY"), CompensationFact(MONTH, Decimal("7.25"), "CNY"),
             CompensationFact(MONTH, Decimal("3"), "USD")]
    figures = month_figures(MONTH, 40, tallies, notices, costs)
    assert figures.stockout_orders == 4
    assert figures.stockout_rate == Decimal("0.1000")
    assert figures.refund_rate == Decimal("0.5000")
    assert figures.substitute_rate == Decimal("0.2500")
    assert figures.compensation_cost == {"CNY": Decimal("19.75"), "USD": Decimal("3")}
    assert figures.average_satisfaction == Decimal("3.67")
    assert figures.first_notice_median == timedelta(minutes=30)
    assert figures.first_notice_worst == timedelta(seconds=5432)
    assert figures.reasons == {"demand_spike": 2, "supplier_shortage": 2}


def test_a_month_without_cases_or_orders_has_no_rates():
    figures = month_figures(MONTH, 0, [], [], [])
    assert (figures.stockout_rate, figures.refund_rate, figures.average_satisfaction) == (None, None, None)
    assert (figures.first_notice_median, figures.first_notice_worst, figures.compensation_cost) == (None, None, {})


@pytest.mark.parametrize("histogram, median", [
    ([(40, 1), (10, 1), (30, 1), (20, 1)], 20),
    ([(5, 3), (60, 2)], 5),
    ([(5, 2), (60, 3)], 60),
    ([(7, 1)], 7),
    ([(7, 0)], None),
])
def test_the_median_wait_is_the_lower_middle_of_the_per_minute_counts(histogram, median):
    expected = None if median is None else timedelta(minutes=median)
    assert median_minutes(histogram) == expected


def test_months_are_the_shops_local_months():
    late_evening_utc = datetime(2026, 10, 31, 17, 0, tzinfo=timezone.utc)
    assert month_of(late_evening_utc, "UTC") == "2026-10"
    assert month_of(late_evening_utc, "Asia/Shanghai") == "2026-11"
    start, end = month_bounds("2026-12", "Asia/Shanghai")
    assert start.astimezone(timezone.utc) == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    assert end.astimezone(timezone.utc) == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)
    assert months_ending("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_monthly_figures_keep_each_row_in_its_month():
    tallies = [CaseTally("2026-10", "unknown", None, 1), CaseTally(MONTH, "unknown", "wait", 2),
               CaseTally("2026-08", "unknown", None, 5)]
    figures = monthly_figures(["2026-10", MONTH], {MONTH: 20}, tallies, [], [])
    assert [(f.month, f.orders, f.stockout_orders) for f in figures] == [("2026-10", 0, 1), (MONTH, 20, 2)]


def test_cached_figures_read_back_equal():
    figures = month_figures(MONTH, 40, [CaseTally(MONTH, "oversold", "refund", 3, 9, 2)],
                            [NoticeTally(MONTH, 12, 3, 800.5)], [CompensationFact(MONTH, Decimal("9.90"), "CNY")])
    assert cache.from_json(cache.to_json(figures)) == figures


def test_top_products_count_orders_then_units_and_group_by_product():
    lines = [
        ShortLineFact(1, "gid://shopify/Product/1", "Teapot", 1),
        ShortLineFact(2, "gid://shopify/Product/1", "Teapot", 2),
        ShortLineFact(2, "gid://shopify/Product/1", "Teapot", 1),
        ShortLineFact(3, "gid://shopify/Product/2", "Cups", 5),
        ShortLineFact(4, None, "Gift card wrapping", 1),
    ]
    top = top_products(lines, limit=2)
    assert [(t.product_gid, t.orders, t.units) for t in top] == [
        ("gid://shopify/Product/1", 2, 4), ("gid://shopify/Product/2", 1, 5),
    ]


@pytest.mark.parametrize("available, sold, cover", [
    (10, 30, Decimal("10.0")), (0, 5, Decimal("0.0")), (-2, 5, Decimal("0.0")), (7, 3, Decimal("70.0")), (5, 0, None),
])
def test_days_of_cover_at_the_last_30_days_pace(available, sold, cover):
    assert days_of_cover(available, sold) == cover


@pytest.mark.parametrize("sold, reorder", [(30, 15), (1, 1), (7, 4), (0, 0)])
def test_the_suggested_reorder_is_half_of_30_days_sales_rounded_up(sold, reorder):
    assert suggested_reorder(sold) == reorder


def test_products_at_risk_run_out_before_the_lead_time():
    stock = [
        StockFact("v-slow", "p1", "Slow seller", 50, lead_time_days=7),
        StockFact("v-fast", "p2", "Fast seller", 10, lead_time_days=21),
        StockFact("v-out", "p3", "Sold out", 0),
        StockFact("v-none", "p4", "Never sold", 3),
        StockFact("v-default", "p5", "Default lead", 20),
    ]
    sold = {"v-slow": 30, "v-fast": 30, "v-out": 4, "v-default": 30}
    risky = products_at_risk(stock, sold)
    assert [(r.variant_gid, r.days_of_cover, r.lead_time_days, r.lead_time_assumed, r.suggested_reorder)
            for r in risky] == [
        ("v-out", Decimal("0.0"), 14, True, 2),
        ("v-fast", Decimal("10.0"), 21, False, 15),
    ]


def test_csv_rows_write_plain_numbers_and_name_other_currencies():
    figures = month_figures(MONTH, 40, [CaseTally(MONTH, "oversold", "refund", 1)], [NoticeTally(MONTH, 15, 1, 930.0)],
                            [CompensationFact(MONTH, Decimal("9.90"), "CNY")])
    assert csv_export.monthly_rows([figures], "CNY") == [[
        MONTH, 40, 1, Decimal("0.0250"), Decimal("1.0000"), Decimal("0.0000"), "9.90", None, Decimal("15.0"),
        Decimal("15.5"),
    ]]
    assert csv_export.cost_text({"CNY": Decimal("1.00"), "USD": Decimal("2.00")}, "CNY") == "1.00 CNY; 2.00 USD"
    text = csv_export.to_csv(["月份", "订单数"], [[MONTH, 40], ["2026-12", None]])
    assert text == "\ufeff月份,订单数\r\n2026-11,40\r\n2026-12,\r\n"
    formula = csv_export.to_csv(["title"], [["=HYPERLINK(1)"], [Decimal("-1.5")]])
    assert formula == "\ufefftitle\r\n'=HYPERLINK(1)\r\n-1.5\r\n"


def test_charts_are_inline_svg_with_escaped_labels_and_a_title():
    svg = str(bar_chart([Point("<b>Teapot</b>", 3, "3")], "Top & worst"))
    assert svg.startswith('<svg class="chart chart--bars" role="img"')
    assert "&lt;b&gt;Teapot&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">Top &amp; worst</title>" in svg
    columns = str(column_chart([Point("Oct", 1, "1"), Point("Nov", None, "—"), Point("Dec", 4, "4")], "Orders"))
    assert columns.count("<rect") == 2
