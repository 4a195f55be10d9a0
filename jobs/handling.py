"""The contract between the webhook intake and the topic handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable


class RejectedPayload(Exception):
    """The payload is malformed (wrong shape, missing ids): record it as rejected with this reason, never retry."""


@dataclass
class Delivery:
    """One recorded webhook event, handed to its topic's handler inside the app context.

    A handler writes through `app.db.session()` but does not commit: the intake commits the handler's
    writes together with the event's new status. Work that must only start once those writes are
    committed (enqueueing a job, for instance) goes into `after_commit`. A callback that also has an
    `absorb(other) -> bool` method may take in a later event's callback of its kind (returning True),
    so that a batch of events starts each piece of follow-up work once.
    """

    shop_id: int
    topic: str
    event_id: str
    webhook_id: str | None
    triggered_at: datetime | None
    payload: dict
    after_commit: list[Callable[[], None]] = field(default_factory=list)


Handler = Callable[[Delivery], None]
BatchHandler = Callable[[list[Delivery]], None]


def with_batch_form(batch_handler: BatchHandler) -> Callable[[Handler], Handler]:
    """Give a topic handler a form taking several consecutive deliveries of its topic at once.

    The drain may call it with a run of a shop's events in arrival order; their writes and statuses are
    committed together. When it raises, the drain rolls the run back and calls the plain handler on
    each delivery instead, so one bad event fails alone. Its after-commit work may go on any delivery.
    """
    def mark(handler: Handler) -> Handler:
        handler.batch_form = batch_handler
        return handler

    return mark


def batch_form(handler: Handler) -> BatchHandler | None:
    return getattr(handler, "batch_form", None)
