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
    committed (enqueueing a job, for instance) goes into `after_commit`.
    """

    shop_id: int
    topic: str
    event_id: str
    webhook_id: str | None
    triggered_at: datetime | None
    payload: dict
    after_commit: list[Callable[[], None]] = field(default_factory=list)
