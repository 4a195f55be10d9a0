"""Whether a message still makes sense when its time comes: a pure answer from the case's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.messages import MessageKind

CLOSED_STATUSES = frozenset({"closed", "cancelled", "canceled"})
LEFT_WAITING = frozenset({"substitute", "refund"})
# A waiting customer may switch once: each choice gets its own confirmation (and coupon message).
PER_CHOICE_KINDS = frozenset(
    {MessageKind.CHOICE_CONFIRMED, MessageKind.DEFAULT_APPLIED, MessageKind.COMPENSATION_COUPON}
)


@dataclass(frozen=True)
class CaseState:
    """The few facts of a case that decide whether a pending message is still wanted."""

    status: str
    choice: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    satisfaction_score: int | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None or self.status in CLOSED_STATUSES

    @property
    def finished(self) -> bool:
        return self.closed or self.resolved_at is not None


def moot_reason(kind: str, case: CaseState | None, *, shop_installed: bool) -> str | None:
    """Why a message of this kind should no longer go, or None while it is still wanted."""
    if not shop_installed:
        return "the shop uninstalled the app"
    if case is None:
        return None
    kind = MessageKind(kind)
    if kind is MessageKind.STOCKOUT_NOTICE and (case.finished or case.choice):
        return "the case moved on before the notice went out"
    if kind is MessageKind.BACKORDER_UPDATE and (case.finished or case.choice in LEFT_WAITING):
        return "the customer is no longer waiting"
    if kind is MessageKind.RESTOCK and (case.closed or case.choice in LEFT_WAITING):
        return "the customer is no longer waiting for this stock"
    if kind in (MessageKind.CHOICE_CONFIRMED, MessageKind.DEFAULT_APPLIED) and not case.choice:
        return "nothing was chosen"
    if kind is MessageKind.SATISFACTION_FOLLOWUP:
        if not case.closed:
            return "the case is not closed"
        if case.satisfaction_score is not None:
            return "the customer already answered"
    return None


def default_sequence(kind: str, case: CaseState) -> str | None:
    """What tells two messages of a kind apart on one case: the option, for a confirmation or its coupon."""
    if MessageKind(kind) in PER_CHOICE_KINDS:
        return case.choice
    return None


def waiting(case: CaseState) -> bool:
    """Whether the customer is still waiting for stock, so periodic updates continue."""
    return not case.finished and case.choice not in LEFT_WAITING
