"""When a restock date slips, whether the customer's silence may count as agreement (US FTC mail-order rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SILENT_AGREEMENT_LIMIT_DAYS = 30


@dataclass(frozen=True)
class DelayDecision:
    """Whether this change is a delay at all, and if so whether the customer must say yes to keep waiting."""

    is_delay: bool
    needs_consent: bool
    reason: str


def judge_delay(previous_delays: int, old: date | None, new: date | None, today: date) -> DelayDecision:
    """A first delay of at most 30 days may pass on silence; a longer, open-ended or second one needs a yes."""
    if new is not None and old is not None and new <= old:
        return DelayDecision(False, False, "the new date is not later than the promised one")
    if new is None:
        if old is None:
            return DelayDecision(False, False, "there was no date before and there is none now")
        return DelayDecision(True, True, "the restock date was withdrawn: no date yet")
    if previous_delays >= 1:
        return DelayDecision(True, True, "a second delay needs the customer's explicit agreement")
    length = (new - (old or today)).days
    if length > SILENT_AGREEMENT_LIMIT_DAYS:
        return DelayDecision(True, True, f"a delay of {length} days is longer than {SILENT_AGREEMENT_LIMIT_DAYS}")
    return DelayDecision(True, False, f"a first delay of {length} days: silence counts as agreement")
