"""The reports page and its CSV files: twelve months of figures, the chosen month's detail, products at risk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from flask import g

from app.admin.i18n import t
from app.admin.rendering import Formats, formats
from app.admin.shop_state import shop_today
from app.db import utcnow
from app.domain.locales import babel_locale
from app.reports import cache as report_cache
from app.reports import csv_export
from app.reports.arithmetic import MonthFigures, month_of, months_ending
from app.reports.charts import Point, bar_chart, column_chart
from app.reports.queries import load_at_risk, load_top_products

MONTHS_SHOWN = 12
RISK_ROWS_SHOWN = 50
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def chosen_month(raw: str | None, timezone: str) -> str:
    current = month_of(utcnow(), timezone)
    if raw and _MONTH.fullmatch(raw) and "2000-01" <= raw <= current:
        return raw
    return current


@dataclass(frozen=True)
class Metric:
    """One monthly figure: its catalogue key, how to read it off a month, and how to write it."""

    key: str
    value: object
    text: object


def _minutes(span) -> Decimal | None:
    return None if span is None else Decimal(span.total_seconds()) / 60


def metrics(fmt: Formats) -> tuple[Metric, ...]:
    currency = fmt.currency
    return (
        Metric("report.orders", lambda f: f.orders, lambda f: fmt.number(f.orders)),
        Metric("report.stockout_orders", lambda f: f.stockout_orders, lambda f: fmt.number(f.stockout_orders)),
        Metric("report.stockout_rate", lambda f: f.stockout_rate, lambda f: fmt.percent(f.stockout_rate)),
        Metric("report.refund_rate", lambda f: f.refund_rate, lambda f: fmt.percent(f.refund_rate)),
        Metric("report.substitute_rate", lambda f: f.substitute_rate, lambda f: fmt.percent(f.substitute_rate)),
        Metric("report.compensation_cost", lambda f: f.compensation_cost.get(currency, Decimal(0)),
               lambda f: fmt.money(f.compensation_cost.get(currency, Decimal(0)))),
        Metric("report.average_satisfaction", lambda f: f.average_satisfaction,
               lambda f: fmt.number(f.average_satisfaction, 2)),
        Metric("report.first_notice_median", lambda f: _minutes(f.first_notice_median),
               lambda f: fmt.duration(f.first_notice_median)),
        Metric("report.first_notice_worst", lambda f: _minutes(f.first_notice_worst),
               lambda f: fmt.duration(f.first_notice_worst)),
    )


def _month_label(month: str, locale: str) -> str:
    year, number = month.split("-")
    return t(locale, "report.month_label", year=year, month=int(number))


def _month_short(month: str, locale: str) -> str:
    """A month as a chart axis shows it ("Nov", "11月")."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "MMM", locale=babel_locale(locale))


def report_context(args) -> dict:
    shop, locale, fmt = g.shop, g.locale, formats()
    timezone = shop.timezone or "UTC"
    month = chosen_month(args.get("month"), timezone)
    months = months_ending(month, MONTHS_SHOWN)
    figures = report_cache.monthly(shop.id, months, timezone, month_of(utcnow(), timezone))
    selected = figures[-1]
    axis = {f.month: _month_short(f.month, locale) for f in figures}
    cards = []
    for metric in metrics(fmt):
        title = t(locale, metric.key)
        points = [Point(axis[f.month], metric.value(f), metric.text(f)) for f in figures]
        cards.append(dict(title=title, current=metric.text(selected), chart=column_chart(points, title)))
    reasons = [Point(fmt.label("reason", code), count, fmt.number(count)) for code, count in selected.reasons.items()]
    top = load_top_products(shop.id, month, timezone)
    at_risk = load_at_risk(shop.id, shop_today(shop, utcnow()))
    return dict(
        month=month, month_label=_month_label(month, locale),
        month_choices=[(m, _month_label(m, locale)) for m in reversed(months_ending(month_of(utcnow(), timezone), 24))],
        figures=figures, selected=selected, cards=cards, other_costs=_other_currencies(selected, fmt),
        reasons_chart=bar_chart(reasons, t(locale, "report.reasons")),
        top=top,
        top_chart=bar_chart([Point(p.title, p.orders, fmt.number(p.orders)) for p in top], t(locale, "report.top")),
        at_risk=at_risk[:RISK_ROWS_SHOWN], at_risk_total=len(at_risk),
        risk_chart=bar_chart([Point(r.title, r.days_of_cover, fmt.number(r.days_of_cover, 1)) for r in at_risk[:10]],
                             t(locale, "report.at_risk")),
    )


def _other_currencies(figures: MonthFigures, fmt: Formats) -> list[str]:
    return [fmt.money(amount, code) for code, amount in figures.compensation_cost.items() if code != fmt.currency]


CSV_NAMES = ("monthly", "reasons", "top_products", "at_risk")


def csv_file(name: str, month: str) -> str:
    """One of the report's tables as CSV, headed in the merchant's language."""
    shop, locale, fmt = g.shop, g.locale, formats()
    timezone = shop.timezone or "UTC"

    def heading(columns: tuple[str, ...]) -> list[str]:
        return [t(locale, f"csv.{column}") for column in columns]

    current = month_of(utcnow(), timezone)
    if name == "monthly":
        figures = report_cache.monthly(shop.id, months_ending(month, MONTHS_SHOWN), timezone, current)
        return csv_export.to_csv(heading(csv_export.MONTHLY_COLUMNS), csv_export.monthly_rows(figures, fmt.currency))
    if name == "reasons":
        figures = report_cache.monthly(shop.id, [month], timezone, current)[0]
        labels = {code: fmt.label("reason", code) for code in figures.reasons}
        return csv_export.to_csv(heading(csv_export.REASON_COLUMNS), csv_export.reason_rows(figures.reasons, labels))
    if name == "top_products":
        rows = csv_export.product_rows(load_top_products(shop.id, month, timezone, limit=1000))
        return csv_export.to_csv(heading(csv_export.PRODUCT_COLUMNS), rows)
    rows = csv_export.risk_rows(load_at_risk(shop.id, shop_today(shop, utcnow())))
    return csv_export.to_csv(heading(csv_export.RISK_COLUMNS), rows)
