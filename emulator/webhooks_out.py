"""Signed webhook delivery on background threads, with retries, fault controls and a record of every attempt."""
import base64
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

import httpx

from .delivery_rules import DeliveryRules


def shopify_json(payload: dict) -> bytes:
    """Compact JSON escaped the way Shopify's bodies are (`\\/`, `\\u0026`…), so only raw-byte HMAC checks pass."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for plain, escaped in (("/", "\\/"), ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(plain, escaped)
    return text.encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 over the exact body bytes with the app secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _trim(payload: dict, include_fields: tuple[str, ...]) -> dict:
    if not include_fields:
        return payload
    kept = {}
    for path in include_fields:
        head, _, rest = path.partition(".")
        if head in payload:
            value = payload[head]
            kept[head] = _trim(value, (rest,)) if rest and isinstance(value, dict) else value
    return kept


@dataclass
class Delivery:
    id: str
    event_id: str
    topic: str
    shop: str
    url: str
    body: bytes
    headers: dict
    status: str = "queued"
    attempts: list = field(default_factory=list)
    auto_release: bool = False

    def describe(self, with_body: bool = True) -> dict:
        found = {"id": self.id, "event_id": self.event_id, "topic": self.topic, "shop": self.shop, "url": self.url,
                 "status": self.status, "attempts": list(self.attempts), "headers": dict(self.headers)}
        if with_body:
            found["body"] = self.body.decode("utf-8")
        return found


class Dispatcher:
    """A bounded schedule of deliveries worked by background threads; failures retry with short backoff."""

    def __init__(self, *, retry_delays=(0.1, 0.5, 1.0), timeout=5.0, connect_timeout=1.0, workers=1,
                 max_queue=100_000, record_limit=50_000):
        self.rules = DeliveryRules()
        self._retry_delays, self._workers_wanted = tuple(retry_delays), workers
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._max_queue, self._record_limit = max_queue, record_limit
        self._cond = threading.Condition()
        self._heap: list = []
        self._seq = itertools.count()
        self._records: OrderedDict[str, Delivery] = OrderedDict()
        self._held: list[str] = []
        self._in_flight = 0
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def submit(self, events, app) -> list[Delivery]:
        """Turn recorded events into signed deliveries and schedule them (or hold/drop them as the rules say)."""
        made = []
        for event in events:
            event_id = str(uuid.uuid4())
            for url, name, include in event.destinations:
                delivery = self._build(event, event_id, url, name, include, app)
                made.append(delivery)
                self._route(delivery)
        return made

    def _build(self, event, event_id, url, name, include, app) -> Delivery:
        body = shopify_json(_trim(event.payload, include))
        webhook_id = str(uuid.uuid4())
        headers = {"Content-Type": "application/json", "User-Agent": "Shopify-Captain-Hook",
                   "X-Shopify-Topic": event.topic, "X-Shopify-Hmac-Sha256": sign(body, app.client_secret),
                   "X-Shopify-Shop-Domain": event.shop, "X-Shopify-API-Version": app.webhook_api_version,
                   "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Event-Id": event_id,
                   "X-Shopify-Triggered-At": event.triggered_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if name:
            headers["X-Shopify-Name"] = name
        return Delivery(webhook_id, event_id, event.topic, event.shop, url, body, headers)

    def _route(self, delivery: Delivery) -> None:
        decision = self.rules.decide(delivery.topic, delivery.shop)
        with self._cond:
            self._remember(delivery)
            if decision.action == "drop":
                delivery.status = "dropped"
                return
            if decision.action == "hold":
                delivery.status, delivery.auto_release = "held", decision.auto_release
                self._held.append(delivery.id)
                return
            copies = 2 if decision.action == "duplicate" else 1
            delay = decision.seconds if decision.action == "delay" else 0.0
            if delay:
                delivery.status = "delayed"
            for _ in range(copies):
                self._push(delivery.id, delay)

    def _remember(self, delivery: Delivery) -> None:
        self._records[delivery.id] = delivery
        while len(self._records) > self._record_limit:
            oldest = next(iter(self._records))
            if self._records[oldest].status in ("queued", "delayed", "held", "sending"):
                break
            self._records.popitem(last=False)

    def _push(self, delivery_id: str, delay: float, *, block: bool = True) -> None:
        """Schedule one send; caller holds the condition. Producers block while the queue is full."""
        while block and len(self._heap) >= self._max_queue and not self._stopping:
            self._cond.wait(0.5)
        heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), delivery_id))
        self._ensure_workers()
        self._cond.notify()

    def _ensure_workers(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self._workers_wanted:
            thread = threading.Thread(target=self._work, name="emulator-webhooks", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        with httpx.Client(timeout=self._timeout, follow_redirects=False, trust_env=False) as client:
            while True:
                job = self._next_job()
                if job is None:
                    return
                self._send(client, job)

    def _next_job(self):
        with self._cond:
            while not self._stopping:
                if self._heap and self._heap[0][0] <= time.monotonic():
                    _, _, delivery_id = heapq.heappop(self._heap)
                    self._in_flight += 1
                    self._cond.notify_all()
                    return self._records.get(delivery_id)
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                self._cond.wait(wait)
            return None

    def _send(self, client: httpx.Client, delivery: Delivery | None) -> None:
        if delivery is None:
            self._finish(None, ok=True)
            return
        started = time.monotonic()
        attempt = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "status": None, "error": None}
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            attempt["status"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as error:
            attempt["error"] = f"{type(error).__name__}: {error}"
            ok = False
        attempt["ms"] = round((time.monotonic() - started) * 1000, 1)
        self._finish(delivery, ok=ok, attempt=attempt)

    def _finish(self, delivery, *, ok: bool, attempt: dict | None = None) -> None:
        with self._cond:
            self._in_flight -= 1
            if delivery is not None:
                delivery.attempts.append(attempt)
                failures = sum(1 for a in delivery.attempts if not (a["status"] and 200 <= a["status"] < 300))
                if ok:
                    delivery.status = "delivered"
                    self._release_auto_held()
                elif failures <= len(self._retry_delays):
                    delivery.status = "retrying"
                    self._push(delivery.id, self._retry_delays[failures - 1], block=False)
                else:
                    delivery.status = "failed"
            self._cond.notify_all()

    def _release_auto_held(self) -> None:
        ready = [d for d in self._held if self._records[d].auto_release]
        self._held = [d for d in self._held if d not in ready]
        for delivery_id in ready:
            self._records[delivery_id].status = "queued"
            self._push(delivery_id, 0.0, block=False)

    def release(self, ids: list[str] | None = None) -> int:
        """Send held deliveries now (all, or those named), after everything already sent: out of order."""
        with self._cond:
            chosen = [d for d in self._held if ids is None or d in ids]
            self._held = [d for d in self._held if d not in chosen]
            for delivery_id in chosen:
                self._records[delivery_id].status = "queued"
                self._push(delivery_id, 0.0)
            return len(chosen)

    def redeliver(self, delivery_id: str) -> Delivery:
        """Send a recorded delivery again, byte for byte with the same ids, as a Shopify retry would."""
        with self._cond:
            delivery = self._records.get(delivery_id)
            if delivery is None:
                raise KeyError(delivery_id)
            delivery.status = "queued"
            self._push(delivery.id, 0.0, block=False)
            return delivery

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is scheduled or in flight (held deliveries excepted)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def deliveries(self, *, topic=None, shop=None, status=None) -> list[Delivery]:
        with self._cond:
            return [d for d in self._records.values() if (topic is None or d.topic == topic)
                    and (shop is None or d.shop == shop) and (status is None or d.status == status)]

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()
            self._held.clear()
            self._records.clear()
        self.rules.clear()

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=2)
