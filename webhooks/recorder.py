"""Group commit for the intake: the deliveries of concurrent requests are recorded by one statement and commit.

Each web process runs one recorder thread, started on first use. A request hands its delivery over and waits
for the outcome, so it is still answered only once its event is committed and its shop's drain requested.
Whatever arrives while a batch is being written forms the next batch: a lone request is written at once, and
under load the batches grow, so the database and Redis see one round trip per batch instead of per request.
"""

from __future__ import annotations

import logging
import queue
import threading

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app import db
from webhooks import dispatch
from webhooks.recording import Envelope, Recorded, record_deliveries

log = logging.getLogger("webhooks")

MAX_BATCH = 64
WAIT_SECONDS = 5.0  # Shopify gives up after 5 s anyway
IDLE_SECONDS = 5.0


class RecordingTimedOut(Exception):
    """The recorder did not answer in time; the delivery may or may not be recorded (Shopify will retry)."""


class _Handover:
    """One delivery waiting for its outcome: a lock held from creation until the recorder hands the outcome over
    (lighter than an Event, which is a condition and a lock per wait)."""

    __slots__ = ("envelope", "body", "outcome", "error", "_pending")

    def __init__(self, envelope: Envelope, body: bytes):
        self.envelope, self.body = envelope, body
        self.outcome: Recorded | None = None
        self.error: Exception | None = None
        self._pending = threading.Lock()
        self._pending.acquire()

    def finish(self, outcome: Recorded | None = None, error: Exception | None = None) -> None:
        self.outcome, self.error = outcome, error
        self._pending.release()

    def wait(self, timeout: float) -> bool:
        return self._pending.acquire(timeout=timeout)


class Recorder:
    """One per app; its thread lives in whichever process serves requests (started after gunicorn's fork)."""

    def __init__(self, app: Flask):
        self._app = app
        self._waiting: queue.SimpleQueue[_Handover] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def record(self, envelope: Envelope, body: bytes) -> Recorded:
        """Record one delivery along with whatever else is arriving; raises what recording it raised."""
        handover = _Handover(envelope, body)
        self._ensure_running()
        self._waiting.put(handover)
        if not handover.wait(WAIT_SECONDS):
            raise RecordingTimedOut(f"no outcome within {WAIT_SECONDS} s")
        if handover.error is not None:
            raise handover.error
        return handover.outcome

    def _ensure_running(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhook-recorder", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        connection = None
        while True:
            try:
                batch = [self._waiting.get(timeout=IDLE_SECONDS if connection is not None else None)]
            except queue.Empty:
                # Quiet for a while: give the connection back rather than hold it idle.
                connection.close()
                connection = None
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            with self._app.app_context():
                connection = self._write(batch, connection)

    def _write(self, batch: list[_Handover], connection: Connection | None) -> Connection | None:
        """Record a batch on the thread's connection, kept between batches: no checkout or ping per batch."""
        deliveries = [(handover.envelope, handover.body) for handover in batch]
        try:
            try:
                connection = connection or _connect()
                outcomes = record_deliveries(connection, deliveries)
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                # The kept connection died while idle (database restarted, say): once more on a new one.
                connection.close()
                connection = _connect()
                outcomes = record_deliveries(connection, deliveries)
        except Exception as error:
            # Every waiting request gets this error to answer with; the next batch starts on a new connection.
            for handover in batch:
                handover.finish(error=error)
            if connection is not None:
                connection.close()
            return None
        try:
            _request_drains({outcome.shop_id for outcome in outcomes if outcome.status == "pending"})
        finally:
            for handover, outcome in zip(batch, outcomes):
                handover.finish(outcome)
        return connection


def _connect() -> Connection:
    # Autocommit: each statement is durable when it returns.
    return db.engine().connect().execution_options(isolation_level="AUTOCOMMIT")


def _request_drains(shop_ids: set[int]) -> None:
    """One drain request per shop of the batch; with Redis down the events wait, committed, for the sweeper."""
    if not shop_ids:
        return
    try:
        dispatch.request_drains(shop_ids)
    except RedisError as error:
        log.warning("webhooks recorded but not enqueued: Redis unavailable; the sweeper will enqueue them",
                    extra={"shop_ids": sorted(shop_ids), "error": repr(error)})
