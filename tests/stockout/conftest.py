"""Stockout fixtures: a shop, and delivering webhook bodies through the real topic table as the intake does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db, queues
from app.models import CaseLine, Shop, StockoutCase
from jobs.handling import Delivery, RejectedPayload
from tests.stockout.factories import LOCATION, gid
from webhooks.topics import handler_for


@pytest.fixture
def shop(app_context, shared_dir) -> Shop:
    session = db.session()
    row = Shop(domain="demo-apparel.myshopify.com", name="Demo", installed_at=db.utcnow(), timezone="UTC",
               locations=[{"id": gid("Location", LOCATION), "name": "Warehouse", "active": True,
                           "fulfills_online_orders": True}])
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def deliver(shop):
    """Run one body through its topic's handler, then commit and start the after-commit work, as the intake does."""
    counter = iter(range(1, 1_000_000))

    def run(topic: str, payload: dict) -> Delivery:
        session = db.session()
        delivery = Delivery(shop.id, topic, f"event-{next(counter)}", None, None, payload)
        try:
            handler_for(topic)(delivery)
        except RejectedPayload:
            session.rollback()
            raise
        session.commit()
        session.expunge_all()
        for callback in delivery.after_commit:
            callback()
        return delivery

    return run


def open_cases(shop_id: int) -> dict[str, dict[str, int]]:
    """Open cases by order GID, each with its short units per line item."""
    session = db.session()
    found: dict[str, dict[str, int]] = {}
    for case in session.scalars(select(StockoutCase).where(StockoutCase.shop_id == shop_id,
                                                          StockoutCase.status == "open")):
        lines = session.scalars(select(CaseLine).where(CaseLine.case_id == case.id)).all()
        found[case.order_gid] = {line.line_item_gid: line.quantity_short for line in lines}
    return found


def queued(queue_name: str) -> list[tuple[str, tuple]]:
    """(function, args) of every job waiting in a queue."""
    return [(job.func_name, tuple(job.args)) for job in queues.queue(queue_name).get_jobs()]

