"""Restock plans imported from a spreadsheet: one row per variant (by SKU or id), product or vendor.

Columns (header row required, any order, case-insensitive): one of `sku`, `variant_id`, `product_id`
or `vendor` to say what the row is for; then `restock_date` (YYYY-MM-DD) and/or `lead_time_days`,
and optionally `reason` (supplier_shortage, inventory_sync_delay, demand_spike, damaged_stock, other,
unknown). Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import db
from app.models import Shop, VariantStock
from app.stockout.effects import Effects
from app.stockout.restock import PlanScope, RestockPlanError, check_plan
from app.stockout.restock_plans import plans_changed, save_plan

TARGETS = {"sku": None, "variant_id": "ProductVariant", "product_id": "Product", "vendor": None}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class CsvPlan:
    row: int
    target: str
    value: str
    restock_date: date | None
    lead_time_days: int | None
    reason: str


def parse_restock_csv(text: str) -> tuple[list[CsvPlan], list[RowError]]:
    """The rows as plans, and an error per row that cannot be one."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    if not headers & set(TARGETS) or not headers & {"restock_date", "lead_time_days", "reason"}:
        return [], [RowError(1, "the header must name sku, variant_id, product_id or vendor, and restock_date, "
                                "lead_time_days or reason")]
    plans, errors = [], []
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, f"only the first {MAX_ROWS} rows are imported"))
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not any(row.values()):
            continue
        try:
            plans.append(_plan(number, row))
        except RestockPlanError as error:
            errors.append(RowError(number, str(error)))
    return plans, errors


def import_restock_csv(shop_id: int, text: str) -> tuple[int, list[RowError]]:
    """Save every valid row as a restock plan in one commit; returns how many were applied and the rows refused."""
    plans, errors = parse_restock_csv(text)
    session, effects = db.session(), Effects(shop_id)
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise LookupError(f"no shop with id {shop_id}")
    scopes = []
    for plan in plans:
        try:
            scope, key = _scope_of(session, shop_id, plan)
            save_plan(session, shop_id, scope, key, plan.restock_date, plan.lead_time_days, plan.reason, "csv", None)
        except RestockPlanError as error:
            errors.append(RowError(plan.row, str(error)))
            continue
        scopes.append((scope, key))
    if scopes:
        plans_changed(session, shop, scopes, db.utcnow(), effects)
    session.commit()
    effects.run()
    return len(scopes), sorted(errors, key=lambda e: e.row)


def _plan(number: int, row: dict[str, str]) -> CsvPlan:
    targets = [(name, row[name]) for name in TARGETS if row.get(name)]
    if len(targets) != 1:
        raise RestockPlanError("give exactly one of sku, variant_id, product_id or vendor")
    target, value = targets[0]
    day = None
    if row.get("restock_date"):
        try:
            day = date.fromisoformat(row["restock_date"])
        except ValueError:
            raise RestockPlanError(f"restock_date {row['restock_date']!r} is not a date like 2026-12-31") from None
    lead = None
    if row.get("lead_time_days"):
        if not row["lead_time_days"].isdigit():
            raise RestockPlanError(f"lead_time_days {row['lead_time_days']!r} is not a whole number of days")
        lead = int(row["lead_time_days"])
    if day is None and lead is None and not row.get("reason"):
        raise RestockPlanError("nothing to set: give a restock_date, a lead_time_days or a reason")
    check_plan(PlanScope.SHOP.value, "", day, lead, row.get("reason") or "unknown")
    return CsvPlan(number, target, value, day, lead, (row.get("reason") or "unknown").lower())


def _scope_of(session, shop_id: int, plan: CsvPlan) -> tuple[str, str]:
    if plan.target == "vendor":
        return PlanScope.VENDOR.value, plan.value
    if plan.target == "sku":
        found = session.scalars(select(VariantStock.variant_gid).where(
            VariantStock.shop_id == shop_id, VariantStock.sku == plan.value)).all()
        if len(found) != 1:
            raise RestockPlanError(f"SKU {plan.value!r} " + ("matches no known variant" if not found
                                                             else "matches several variants: use variant_id"))
        return PlanScope.VARIANT.value, found[0]
    kind = TARGETS[plan.target]
    gid = plan.value if plan.value.startswith("gid://") else f"gid://shopify/{kind}/{plan.value}"
    if not plan.value.isdigit() and not gid.startswith(f"gid://shopify/{kind}/"):
        raise RestockPlanError(f"{plan.target} {plan.value!r} is not a {kind} id")
    return (PlanScope.VARIANT if kind == "ProductVariant" else PlanScope.PRODUCT).value, gid
