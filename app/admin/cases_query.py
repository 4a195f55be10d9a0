"""Finding a shop's stockout cases by status, reason, day and order or customer, a page at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from app import db
from app.models import CaseEvent, CaseLine, Compensation, Notification, StockoutCase

CLOSED_STATUSES = ("closed", "resolved", "cancelled")
PAGE_SIZE = 50
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CaseFilters:
    """The list's filters as the merchant set them; bad values were dropped and flagged."""

    status: str = ""
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    page: int = 1

    def query_args(self, **changes) -> dict[str, str]:
        """The filters as query parameters, for links to other pages of the same list."""
        values = {
            "status": self.status, "reason": self.reason, "q": self.search,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "", "page": str(self.page),
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value and not (key == "page" and value == "1")}


def calendar_day(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when the text is not one (2026-02-30 included)."""
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_filters(args) -> tuple[CaseFilters, list[str]]:
    """Filters from query parameters, and the names of those that could not be read."""
    bad: list[str] = []

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        found = calendar_day(raw)
        if found is None:
            bad.append(name)
        return found

    raw_page = (args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    filters = CaseFilters(
        status=(args.get("status") or "").strip()[:24],
        reason=(args.get("reason") or "").strip()[:32],
        date_from=day("from"),
        date_to=day("to"),
        search=(args.get("q") or "").strip()[:100],
        page=page,
    )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        bad.append("to")
        filters = CaseFilters(filters.status, filters.reason, filters.date_from, None, filters.search, page)
    return filters, bad


def _conditions(shop_id: int, filters: CaseFilters, timezone: str) -> list:
    zone = ZoneInfo(timezone or "UTC")
    where = [StockoutCase.shop_id == shop_id]
    if filters.status == "open":
        where.append(StockoutCase.status.not_in(CLOSED_STATUSES))
    elif filters.status:
        where.append(StockoutCase.status == filters.status)
    if filters.reason:
        where.append(StockoutCase.reason == filters.reason)
    if filters.date_from:
        where.append(StockoutCase.detected_at >= datetime.combine(filters.date_from, time(), zone))
    if filters.date_to:
        where.append(StockoutCase.detected_at < datetime.combine(filters.date_to + timedelta(days=1), time(), zone))
    if filters.search:
        pattern = "%" + filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            StockoutCase.order_name, StockoutCase.customer_name, StockoutCase.email, StockoutCase.phone
        ))))
    return where


@dataclass(frozen=True)
class CasePage:
    cases: list[StockoutCase]
    total: int
    page: int
    pages: int


def find_cases(shop_id: int, filters: CaseFilters, timezone: str) -> CasePage:
    """One page of matching cases, newest first, with how many match in all."""
    where = _conditions(shop_id, filters, timezone)
    statement = select(StockoutCase).where(*where).order_by(StockoutCase.detected_at.desc(), StockoutCase.id.desc())
    filtered = len(where) > 1
    rows, total, page = page_of(statement, filters.page, filtered=filtered)
    return CasePage([row[0] for row in rows], total, page, max(1, -(-total // PAGE_SIZE)))


def page_of(statement, page: int, *, filtered: bool) -> tuple[list, int, int]:
    """One page of an ordered query and how many rows it has in all; a page past the end shows the last one.

    A filtered list is scanned anyway, so its rows and count come from one scan (a window count); an
    unfiltered one is cheaper as an index-only count and an index walk to the page.
    """
    session = db.session()

    def count() -> int:
        return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))

    def fetch(query, number: int) -> list:
        return session.execute(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()

    if not filtered:
        total = count()
        page = min(page, max(1, -(-total // PAGE_SIZE)))
        return [tuple(row) for row in fetch(statement, page)], total, page
    counted = statement.add_columns(func.count().over())
    rows = fetch(counted, page)
    if not rows and page > 1:
        page = max(1, -(-count() // PAGE_SIZE))
        rows = fetch(counted, page)
    return [tuple(row[:-1]) for row in rows], (rows[0][-1] if rows else 0), page


def known_values(shop_id: int) -> tuple[list[str], list[str]]:
    """The statuses and reasons this shop's cases have, for the filter menus."""
    session = db.session()
    statuses = session.scalars(select(StockoutCase.status).where(StockoutCase.shop_id == shop_id).distinct())
    reasons = session.scalars(select(StockoutCase.reason).where(StockoutCase.shop_id == shop_id).distinct())
    return sorted(statuses), sorted(reasons)


@dataclass(frozen=True)
class CaseDetail:
    case: StockoutCase
    lines: list[CaseLine]
    events: list[CaseEvent]
    notifications: list[Notification]
    compensations: list[Compensation]


def load_case(shop_id: int, case_id: int) -> CaseDetail | None:
    session = db.session()
    case = session.scalar(select(StockoutCase).where(StockoutCase.shop_id == shop_id, StockoutCase.id == case_id))
    if case is None:
        return None

    def mine(model) -> tuple:
        return model.shop_id == shop_id, model.case_id == case_id

    return CaseDetail(
        case=case,
        lines=list(session.scalars(select(CaseLine).where(*mine(CaseLine)).order_by(CaseLine.id))),
        events=list(session.scalars(select(CaseEvent).where(*mine(CaseEvent)).order_by(CaseEvent.created_at))),
        notifications=list(session.scalars(
            select(Notification).where(*mine(Notification)).order_by(Notification.created_at)
        )),
        compensations=list(session.scalars(select(Compensation).where(*mine(Compensation)))),
    )
