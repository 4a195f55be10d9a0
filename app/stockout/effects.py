"""Work that starts once the stockout writes are committed: catalogue re-evaluation, stock reads, notices.

Catalogue and stock-read jobs are coalesced on a fixed job id per shop and product (or variant): while
one is still waiting in the queue, further events add nothing, since the job reads the latest state
when it starts. Notices go to `jobs.notify`, the first one of a case through its offer (see NOTICE_ROUTES).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from app import db, queues
from app.stockout.awaited import variants_awaited

_NO_WAIT = timedelta(0)
PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
EVALUATE_JOB = "jobs.catalogue.apply_product"
REFRESH_VARIANT_JOB = "jobs.catalogue.refresh_variant_stock"
REFRESH_ITEM_JOB = "jobs.catalogue.refresh_item_stock"
RECHECK_JOB = "jobs.catalogue.recheck_product"
STOCK_RETURNED_JOB = "jobs.back_in_stock.stock_returned"


def job_key(kind: str, shop_id: int, gid: str) -> str:
    """A job id RQ accepts ([A-Za-z0-9_-]) naming one kind of job for one object of one shop."""
    tail = gid.rsplit("/", 1)[-1]
    tail = tail if tail.isdigit() else hashlib.sha1(gid.encode()).hexdigest()[:20]
    return f"{kind}-{shop_id}-{tail}"


def enqueue_coalesced(queue_name: str, func_path: str, *args, job_id: str, delay: timedelta | None = None) -> bool:
    """Enqueue (after `delay`) unless the same job is already waiting to start; True when a run was added.

    While a run is going, the next one waits under a relay id: re-using the running job's id would let the
    running job's end (status, result expiry) overwrite the waiting copy.
    """
    for candidate in (job_id, f"{job_id}-next"):
        status = _status(candidate)
        if status in PENDING:
            return False
        if status != JobStatus.STARTED:
            queues.enqueue(queue_name, func_path, *args, job_id=candidate, delay=delay)
            return True
    queues.enqueue(queue_name, func_path, *args, job_id=job_id, delay=delay)
    return True


def _status(job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=queues.redis(), serializer=JSONSerializer).get_status()
    except NoSuchJobError:
        return None


def shortage_moved_key(shop_id: int, variant_gid: str) -> str:
    return f"shortage-moved:{shop_id}:{variant_gid}"


def evaluation_running(shop_id: int, product_gid: str) -> bool:
    """Whether the product's catalogue job is running right now (its own writes echo back as products/update)."""
    key = job_key("catalogue", shop_id, product_gid)
    return JobStatus.STARTED in (_status(key), _status(f"{key}-next"))


def request_evaluation(shop_id: int, product_gid: str) -> bool:
    """Ask for one catalogue decision on the product, coalesced with any still waiting."""
    return enqueue_coalesced("default", EVALUATE_JOB, shop_id, product_gid,
                             job_id=job_key("catalogue", shop_id, product_gid))


def _offer_then_notice(shop_id: int, case_id: int, _kwargs: dict) -> None:
    """A new case: build its offer (substitutes, refund preview) first; that job sends the notice.

    It starts a few seconds later (NOTICE_SETTLE_SECONDS): in a flash sale order and inventory webhooks arrive
    duplicated and out of order, and who is short moves from order to order until they have all arrived. A case
    that is no longer short by then has been withdrawn and its customer is never told; the others still hear
    from us within the minute.
    """
    settle = current_app.config["SETTINGS"].notice_settle_seconds
    queues.enqueue("default", "jobs.choices.prepare_offer", shop_id, case_id, notify=True,
                   job_id=f"prepare-offer-{shop_id}-{case_id}", delay=timedelta(seconds=settle) if settle else None)


def _restock_date_slipped(shop_id: int, case_id: int, kwargs: dict) -> None:
    """A moved restock date goes through the delay rules (consent beyond 30 days), which tell the customer."""
    queues.enqueue("default", "jobs.choices.restock_date_slipped", shop_id, case_id,
                   kwargs.get("previous_restock_date"), kwargs.get("new_restock_date"))


NOTICE_ROUTES: dict[str, Callable[[int, int, dict], None]] = {
    "case_opened": _offer_then_notice,
    "restock_date_changed": _restock_date_slipped,
}


class Effects:
    """What to start after commit, gathered while handling one event, each thing once."""

    def __init__(self, shop_id: int):
        self.shop_id = shop_id
        self.products: list[str] = []
        self.variants_to_read: list[str] = []
        self.items_to_read: list[str] = []
        self.notices: list[tuple[str, int, dict]] = []
        self.rechecks: dict[str, datetime] = {}
        self.stock_rises: dict[str, int] = {}
        self.shortage_moves: dict[str, datetime] = {}

    def evaluate(self, product_gid: str | None) -> None:
        if product_gid and product_gid not in self.products:
            self.products.append(product_gid)

    def read_variant(self, variant_gid: str) -> None:
        if variant_gid not in self.variants_to_read:
            self.variants_to_read.append(variant_gid)

    def read_item(self, item_gid: str) -> None:
        if item_gid not in self.items_to_read:
            self.items_to_read.append(item_gid)

    def stock_rose(self, variant_gid: str, available: int) -> None:
        """Units came back: waiting orders first, then back-in-stock sign-ups (even while still negative)."""
        self.stock_rises[variant_gid] = available

    def shortage_moved(self, variant_gid: str, when: datetime) -> None:
        """Who is short of the variant changed away from a line: its picture is still settling (a first notice waits)."""
        self.shortage_moves[variant_gid] = when

    def recheck(self, product_gid: str, when: datetime) -> None:
        """Decide on the product again at `when` (the end of a grace period)."""
        self.rechecks[product_gid] = when

    def notice(self, name: str, case_id: int, **kwargs) -> None:
        """Enqueue jobs.notify.<name>(shop_id, case_id, **kwargs) after commit."""
        if (name, case_id, kwargs) not in self.notices:
            self.notices.append((name, case_id, kwargs))

    def _start_notice(self, name: str, case_id: int, kwargs: dict) -> None:
        route = NOTICE_ROUTES.get(name)
        if route is not None:
            route(self.shop_id, case_id, kwargs)
        else:
            queues.enqueue("notifications", f"jobs.notify.{name}", self.shop_id, case_id, **kwargs)

    def callbacks(self) -> list[Callable[[], None]]:
        """Itself as the one callable doing all of it, for Delivery.after_commit (empty when there is nothing to do)."""
        pending = (self.products or self.variants_to_read or self.items_to_read or self.notices or self.rechecks
                   or self.stock_rises or self.shortage_moves)
        return [self] if pending else []

    def absorb(self, other: object) -> bool:
        """Take in a later event's effects for the same shop, so a batch starts each job once; False if not ours."""
        if not isinstance(other, Effects) or other.shop_id != self.shop_id:
            return False
        for product_gid in other.products:
            self.evaluate(product_gid)
        for variant_gid in other.variants_to_read:
            self.read_variant(variant_gid)
        for item_gid in other.items_to_read:
            self.read_item(item_gid)
        for name, case_id, kwargs in other.notices:
            self.notice(name, case_id, **kwargs)
        self.rechecks.update(other.rechecks)
        self.stock_rises.update(other.stock_rises)
        self.shortage_moves.update(other.shortage_moves)
        return True

    def __call__(self) -> None:
        self.run()

    def run(self) -> None:
        if self.shortage_moves:
            queues.redis().mset({shortage_moved_key(self.shop_id, variant_gid): when.isoformat()
                                 for variant_gid, when in self.shortage_moves.items()})
        for name, case_id, kwargs in self.notices:
            self._start_notice(name, case_id, kwargs)
        for variant_gid in self.variants_to_read:
            enqueue_coalesced("default", REFRESH_VARIANT_JOB, self.shop_id, variant_gid,
                              job_id=job_key("stock-variant", self.shop_id, variant_gid))
        for item_gid in self.items_to_read:
            enqueue_coalesced("default", REFRESH_ITEM_JOB, self.shop_id, item_gid,
                              job_id=job_key("stock-item", self.shop_id, item_gid))
        for product_gid in self.products:
            request_evaluation(self.shop_id, product_gid)
        awaited = variants_awaited(self.shop_id, self.stock_rises) if self.stock_rises else set()
        for variant_gid, available in self.stock_rises.items():
            if variant_gid in awaited:
                queues.enqueue("default", STOCK_RETURNED_JOB, self.shop_id, variant_gid, available)
        for product_gid, when in self.rechecks.items():
            queues.enqueue("default", RECHECK_JOB, self.shop_id, product_gid, delay=max(when - db.utcnow(), _NO_WAIT),
                           job_id=job_key("catalogue-recheck", self.shop_id, product_gid))
