"""Counting orders and units sold as order webhooks arrive, once per order however often it is delivered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite

from app import db
from app.models.catalogue import SeenOrder, VariantSalesDay


@dataclass(frozen=True)
class SoldLine:
    variant_gid: str
    product_gid: str | None
    quantity: int


def _insert(model):
    dialect = db.session().get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def record_order_seen(shop_id: int, order_gid: str, created_at: datetime, lines: Iterable[SoldLine] = ()) -> bool:
    """Count an order (and its units per variant) the first time it is seen; True when it was new.

    Writes through the current session and leaves the commit to the caller, like a webhook handler.
    """
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    session = db.session()
    inserted = session.execute(
        _insert(SeenOrder)
        .values(shop_id=shop_id, order_gid=order_gid, created_at=created_at)
        .on_conflict_do_nothing(index_elements=["shop_id", "order_gid"])
        .returning(SeenOrder.id)
    ).scalar()
    if inserted is None:
        return False
    units: Counter = Counter()
    products: dict[str, str | None] = {}
    for line in lines:
        if line.variant_gid and line.quantity > 0:
            units[line.variant_gid] += line.quantity
            products.setdefault(line.variant_gid, line.product_gid)
    day = created_at.astimezone(UTC).date()
    for variant_gid, quantity in sorted(units.items()):
        statement = _insert(VariantSalesDay).values(
            shop_id=shop_id, variant_gid=variant_gid, product_gid=products[variant_gid], day=day, quantity=quantity
        )
        session.execute(statement.on_conflict_do_update(
            index_elements=["shop_id", "variant_gid", "day"],
            set_={"quantity": VariantSalesDay.quantity + statement.excluded.quantity},
        ))
    return True
