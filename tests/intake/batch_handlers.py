"""Topic handlers with a batch form, for the batched-drain tests: each call is noted in Redis, outside the transaction."""

from __future__ import annotations

from sqlalchemy import event

from app import db, queues
from jobs.handling import Delivery, with_batch_form
from tests.intake.handlers import CALLS_KEY, TABLE, count_calls, keep_newest_level


def store_levels(deliveries: list[Delivery]) -> None:
    """Keeps each item's newest level; one body without inventory_item_id fails the whole batch form."""
    queues.redis().rpush(CALLS_KEY, "batch:" + ",".join(d.event_id for d in deliveries))
    for delivery in deliveries:
        _store(delivery)
    deliveries[-1].after_commit.append(lambda: queues.redis().rpush(CALLS_KEY, "after:batch"))


@with_batch_form(store_levels)
def store_level(delivery: Delivery) -> None:
    queues.redis().rpush(CALLS_KEY, "one:" + delivery.event_id)
    _store(delivery)
    delivery.after_commit.append(lambda: queues.redis().rpush(CALLS_KEY, "after:" + delivery.event_id))


def refuse_the_first_commit(delivery: Delivery) -> None:
    """Notes the call; the first transaction it takes part in fails at commit (as a lost connection would)."""
    count_calls(delivery)
    if queues.redis().set("tests:intake:commit-listened", 1, nx=True):
        event.listen(db.session(), "before_commit", _refuse_once)


def _refuse_once(session) -> None:
    """Refuses the first commit of the whole transaction (a savepoint's release passes)."""
    if not session.in_nested_transaction() and queues.redis().set("tests:intake:commit-refused", 1, nx=True):
        raise RuntimeError("the commit was refused")


def _store(delivery: Delivery) -> None:
    keep_newest_level(delivery)
    db.session().flush()


BATCH_TABLE = {**TABLE, "inventory_levels/update": "tests.intake.batch_handlers.store_level"}
REFUSING_TABLE = {**TABLE, "orders/updated": "tests.intake.batch_handlers.refuse_the_first_commit"}
