"""When a new case's first notice may go: once what the intake holds for the shop has been worked through.

In a flash sale the order and inventory webhooks arrive duplicated and out of order, and a shop's backlog can
run minutes behind. Until the events already received are processed, who is short may still move from one
order to another, and a customer told "your item is out of stock" whose order then ships has been told
something false. So the notice waits while the shop has a backlog (events received a few seconds ago or earlier
and not yet processed) or while who is short of its variants still moves from order to order, and goes
anyway once it has waited its patience: within the trade's two hours either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

BACKLOG_AGE = timedelta(seconds=5)  # fresher events are normal traffic, not a backlog
PATIENCE = timedelta(minutes=15)
RECHECK_EVERY = timedelta(seconds=5)


def notice_may_go(
    now: datetime, detected_at: datetime, oldest_unprocessed_received_at: datetime | None,
    shortage_moved_at: datetime | None = None, quiet: timedelta = timedelta(0),
) -> bool:
    """True once nothing older than BACKLOG_AGE waits in the shop's intake and who is short of the case's variants
    has not moved from one order to another for `quiet`, or the case has waited PATIENCE.

    An intake that keeps up with a flash sale never holds a backlog, yet while orders placed before the newest
    stock reading are still on their way, the shortage keeps moving to them; a variant that simply sells on while
    out of stock makes each new order short and moves nothing, so its customers hear at once.
    """
    if now - detected_at >= PATIENCE:
        return True
    if shortage_moved_at is not None and now - shortage_moved_at < quiet:
        return False
    return oldest_unprocessed_received_at is None or now - oldest_unprocessed_received_at < BACKLOG_AGE
