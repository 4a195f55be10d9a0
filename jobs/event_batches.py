"""A shop's pending events handled several to a transaction, each keeping the guarantees it has alone.

Every event, or run of consecutive events whose handler has a batch form (jobs.handling), runs inside a
SAVEPOINT: a handler that raises rolls back only its own writes, and its event is recorded as rejected,
due for a retry or parked in the same transaction, exactly as when it runs alone. A batch form that raises
is rolled back and its events run one by one. Should the transaction itself fail (a savepoint that cannot
be rolled back, a commit refused), everything is rolled back and each event runs in a transaction of its
own. Follow-up work starts only after the commit, each piece once per batch.
"""

from __future__ import annotations

import logging
import time
from typing import Iterator, Mapping

from sqlalchemy import update

from app import db
from jobs.event_steps import (
    CLAIMED, EVENTS, delivery_of, failure_values, log_failure, process_event, run_after_commit, settle,
)
from jobs.handling import Delivery, Handler, RejectedPayload, batch_form
from webhooks.topics import handler_for

log = logging.getLogger("jobs.events")


def run_batch(ready: list[tuple[int, str]], table: Mapping[str, str] | None, max_seconds: float) -> int:
    """Handle these events (ids and topics, in arrival order) in one transaction; returns how many were taken.

    No further run of events is taken once `max_seconds` have passed, so follow-up work is not held back long.
    """
    session = db.session()
    batch, started, taken = Batch(table), time.monotonic(), 0
    try:
        for run in runs(ready, table):
            if taken and time.monotonic() - started >= max_seconds:
                break
            taken += len(run)
            batch.handle(run)
        settle(batch.processed, "processed")
        session.commit()
    except Exception:
        session.rollback()
        session.expunge_all()
        log.warning("a batch of webhook events failed as a whole; handling them one at a time",
                    exc_info=True, extra={"events": taken})
        for event_pk, _topic in ready[:taken]:
            process_event(event_pk, table)
        return taken
    session.expunge_all()
    for claimed, error in batch.failures:
        log_failure(claimed, claimed.attempts, error)
    if batch.handled:
        run_after_commit(batch.handled)
    return taken


def runs(ready: list[tuple[int, str]], table: Mapping[str, str] | None) -> Iterator[list[int]]:
    """The events split into runs: consecutive events sharing a batch form together, any other event alone."""
    run: list[int] = []
    form = None
    for event_pk, topic in ready:
        handler = handler_for(topic, table)
        this = batch_form(handler) if handler is not None else None
        if run and (this is None or this is not form):
            yield run
            run = []
        run.append(event_pk)
        form = this
    if run:
        yield run


class Batch:
    """The events handled so far in the open transaction: which were processed, which failed, what follows."""

    def __init__(self, table: Mapping[str, str] | None):
        self.table = table
        self.processed: list[int] = []
        self.handled: list[Delivery] = []
        self.failures: list[tuple] = []

    def handle(self, run: list[int]) -> None:
        """Claim a run of events and hand them to their handler: the batch form first, else one by one."""
        session = db.session()
        claimed = sorted(session.execute(
            update(EVENTS).where(EVENTS.c.id.in_(run), EVENTS.c.status == "pending")
            .values(attempts=EVENTS.c.attempts + 1).returning(*CLAIMED)
        ).all(), key=lambda row: row.id)
        ready = [found for found in map(self._prepare, claimed) if found is not None]
        form = batch_form(ready[0][1]) if ready else None
        if form is not None and len(ready) > 1 and self._attempt(lambda: form([d for _r, _h, d in ready])):
            self._done(ready)
            return
        for row, handler, delivery in ready:
            delivery.after_commit.clear()
            self._one(row, handler, delivery)

    def _prepare(self, row) -> tuple[object, Handler, Delivery] | None:
        """The row's handler and delivery; None when it is settled already (no handler, unreadable body)."""
        handler = handler_for(row.topic, self.table)
        if handler is None:
            settle([row.id], "ignored", f"no handler for topic {row.topic!r}")
            return None
        try:
            return row, handler, delivery_of(row)
        except RejectedPayload as rejected:
            settle([row.id], "rejected", str(rejected))
            return None

    def _attempt(self, call) -> bool:
        """Run the batch form in a savepoint; False (its writes rolled back) when it raised."""
        try:
            with db.session().begin_nested():
                call()
        except Exception:
            log.info("a batch form raised; handling its events one by one", exc_info=True)
            return False
        return True

    def _one(self, row, handler: Handler, delivery: Delivery) -> None:
        session = db.session()
        try:
            with session.begin_nested():
                handler(delivery)
        except RejectedPayload as rejected:
            settle([row.id], "rejected", (str(rejected) or "rejected by its handler")[:4000])
        except Exception as error:
            session.execute(update(EVENTS).where(EVENTS.c.id == row.id).values(**failure_values(row.attempts, error)))
            self.failures.append((row, error))
        else:
            self._done([(row, handler, delivery)])

    def _done(self, handled: list[tuple[object, Handler, Delivery]]) -> None:
        for row, _handler, delivery in handled:
            self.processed.append(row.id)
            self.handled.append(delivery)
