"""A case's story in order: recorded events, the messages sent, and milestones only the case row remembers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# Milestones kept as case columns, and the event kinds that already tell them; a milestone is shown
# only when none of its events was recorded.
MILESTONES = (
    ("detected_at", "detected", {"detected", "opened"}),
    ("notified_at", "notified", {"notified"}),
    ("link_opened_at", "link_opened", {"link_opened"}),
    ("chosen_at", "choice", {"choice", "choice_made"}),
    ("resolved_at", "resolved", {"resolved", "choice_carried_out"}),
    ("followup_sent_at", "followup_sent", {"followup_sent"}),
    ("closed_at", "closed", {"closed"}),
)


FIRST = {"detected", "opened"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    detail: dict = field(default_factory=dict)
    message: object | None = None


def build_timeline(case: object, events: Iterable[object], messages: Iterable[object]) -> list[Entry]:
    """Events, messages and milestones of one case, oldest first; messages carry their subject and text."""
    entries = [Entry(event.created_at, event.kind, dict(event.detail or {})) for event in events]
    told = {entry.kind for entry in entries}
    for column, kind, told_by in MILESTONES:
        moment = getattr(case, column, None)
        if moment is not None and not told & told_by:
            entries.append(Entry(moment, kind, _milestone_detail(case, kind)))
    for message in messages:
        entries.append(Entry(message.sent_at or message.created_at, "message", {}, message))
    dated = (entry for entry in entries if entry.at is not None)
    return sorted(dated, key=lambda entry: (entry.at, entry.kind not in FIRST))


def _milestone_detail(case: object, kind: str) -> dict:
    if kind == "choice" and getattr(case, "choice", None):
        return {"choice": case.choice}
    if kind == "followup_sent" and getattr(case, "satisfaction_score", None) is not None:
        return {"score": case.satisfaction_score}
    return {}
