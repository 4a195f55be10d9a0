"""When a new case's first notice may go: once what the intake holds for the shop has been worked through.

In a flash sale the order and inventory webhooks arrive duplicated and out of order, and a shop's backlog can
run minutes behind. Until the events already received are processed, who is short may still move from one
order to another, and a customer told "your item is out of stock" whose order then ships has been told
something false. So the notice waits while the shop has a backlog (events received a few seconds ago or earlier
and not yet processed) or while its variants still sell (a stock reading in the last few seconds), and goes
anyway once it has waited its patience: within the trade's two hours either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

BACKLOG_AGE = timedelta(seconds=5)  # fresher events are normal traffic, not a backlog
PATIENCE = timedelta(minutes=15)
RECHECK_EVERY = timedelta(seconds=5)


def notice_may_go(
    now: datetime, detected_at: datetime, oldest_unprocessed_received_at: datetime | None,
    last_reading_at: datetime | None = None, quiet: timedelta = timedelta(0),
) -> bool:
    """True once nothing older than BACKLOG_AGE waits in the shop's intake and the case's variants have had no
    stock reading for `quiet` (the burst selling them is over), or the case has waited PATIENCE.

    An intake that keeps up with a flash sale never holds a backlog, yet while the variant still sells, orders
    placed before its newest reading may still be on their way and take the shortage from this one.
    """
    if now - detected_at >= PATIENCE:
        return True
    if last_reading_at is not None and now - last_reading_at < quiet:
        return False
    return oldest_unprocessed_received_at is None or now - oldest_unprocessed_received_at < BACKLOG_AGE
