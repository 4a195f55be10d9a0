"""Catalogue benchmarks against the store emulator, through real webhooks, the intake, RQ workers and the client.

1. inventory webhook received -> product updated in the emulator, p50/p95/p99, under a steady 100 events/s;
2. an oversold order -> its case opened, p50/p95;
3. 200 products going presale at once: share of calls throttled, and share of the API budget used.

Run: `.venv/bin/python bench/catalogue.py [--seconds 60] [--rate 100] [--workers 4]` (needs PostgreSQL and
Redis as the tests do: BENCH_POSTGRES_URL, BENCH_REDIS_URL; the emulator and the app run locally).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from redis import Redis
from sqlalchemy import select

from catalogue_stack import (
    REDIS_URL, SHOP, add_products, bench_settings, fresh_database, free_port, open_store, percentile, set_available,
    settle, wait_until, web, workers,
)
from app import create_app, db
from app.models import Shop, StockoutCase, WebhookEvent
from app.shopify.install import install_from_session_token
from app.stockout.restock_plans import set_restock_plan
from app.stockout.shop_rules import local_date


def figures(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50_s": round(percentile(values, 0.5), 3),
            "p95_s": round(percentile(values, 0.95), 3), "p99_s": round(percentile(values, 0.99), 3),
            "max_s": round(max(values), 3)}


def received_times(app, topic: str, key) -> dict:
    """When the intake received each event of a topic, by a key read from its body (first one wins)."""
    found: dict = {}
    with app.app_context():
        rows = db.session().execute(select(WebhookEvent.received_at, WebhookEvent.raw_body)
                                    .where(WebhookEvent.topic == topic).order_by(WebhookEvent.id))
        for received_at, raw in rows:
            found.setdefault(key(json.loads(raw)), received_at.timestamp())
    return found


def deliveries(store) -> dict:
    """Webhook deliveries by status, to tell lost events from slow processing."""
    counts: dict = {}
    for delivery in store.emulator.dispatcher.deliveries():
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


class Watch(threading.Thread):
    """Polls a condition per key until each holds; keeps when it was first seen."""

    def __init__(self, check, step: float = 0.01):
        super().__init__(daemon=True)
        self.check, self.step = check, step
        self.pending: dict = {}
        self.seen: dict = {}
        self.lock = threading.Lock()
        self.stopped = False

    def expect(self, key, wanted) -> None:
        with self.lock:
            self.pending[key] = wanted

    def run(self) -> None:
        while not self.stopped:
            with self.lock:
                pending = list(self.pending.items())
            done = self.check(pending)
            now = time.time()
            with self.lock:
                for key in done:
                    self.pending.pop(key, None)
                    self.seen[key] = now
            time.sleep(self.step)


def inventory_to_product(store, app, redis, seconds: float, rate: float, crossings: float) -> dict:
    """Steady inventory webhooks; some take a product out of or back into stock, which delists or relists it."""
    products = add_products(store, max(4, int(seconds * crossings / 2) + 1), units=20, prefix="Cross")
    shop = store.emulator.store.shop(SHOP)
    online = shop.online_store().id
    crossing_items = {item for _p, _v, item in products}
    noise = [v.inventory_item_id for v in shop.variants.values()
             if shop.variant_available(v) >= 5 and v.inventory_item_id not in crossing_items][:400]
    for _product, _variant, item in products:
        set_available(store, item, 19)
    warm_up(store, noise)
    settle(store, redis, timeout=300)

    def listed(pending):
        return [key for key, wanted in pending if (online in shop.products[key[0]].published_at) == wanted]

    watch = Watch(listed)
    watch.start()
    plan = list(itertools.chain(((p, item, 0, False) for p, _v, item in products),
                                ((p, item, 20, True) for p, _v, item in products)))
    triggered, noise_cycle, sign = [], itertools.cycle(noise), itertools.cycle((-1, 1))
    pool = ThreadPoolExecutor(8)
    started, sent, next_crossing = time.monotonic(), 0, 0.0
    while time.monotonic() - started < seconds:
        elapsed = time.monotonic() - started
        if elapsed >= next_crossing and plan:
            product_id, item, units, wanted = plan.pop(0)
            watch.expect((product_id, len(triggered)), wanted)
            triggered.append((product_id, item, units, time.time()))
            pool.submit(set_available, store, item, units)
            next_crossing += 1 / crossings
        else:
            item = next(noise_cycle)
            pool.submit(store.control, "POST", store.shop_path("/inventory"), inventory_item_id=item,
                        delta=next(sign))
        sent += 1
        time.sleep(max(0.0, started + sent / rate - time.monotonic()))
    pool.shutdown(wait=True)
    achieved = sent / (time.monotonic() - started)
    wait_until(lambda: not watch.pending, 120,
               lambda: f"products never updated: {watch.pending}, deliveries {deliveries(store)}")
    watch.stopped = True
    settle(store, redis)
    received = received_times(app, "inventory_levels/update", lambda b: (b["inventory_item_id"], b["available"]))
    latencies = [watch.seen[(p, n)] - received[(item, units)] for n, (p, item, units, _t) in enumerate(triggered)]
    from_trigger = [watch.seen[(p, n)] - t for n, (p, _i, _u, t) in enumerate(triggered)]
    return {"events_per_second": round(achieved, 1), "product_updates": len(triggered),
            "webhook_received_to_product_updated": figures(latencies),
            "inventory_change_to_product_updated": figures(from_trigger)}


def warm_up(store, items: list[int]) -> None:
    """One change per noise item before measuring, so the app knows every item it will hear about.

    An item the app has never met is read back from Shopify once (a job per item); measured cold, those
    400 read-backs would queue ahead of the catalogue decisions and the figures would be the warm-up's.
    """
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda item: store.control("POST", store.shop_path("/inventory"), inventory_item_id=item,
                                                 delta=1), items))


def oversold_to_case(store, app, redis, orders: int, per_second: float) -> dict:
    """Orders for a variant with nothing left: each one is oversold and must open its case."""
    [(_product, variant, item)] = add_products(store, 1, units=1, prefix="Oversold")
    set_available(store, item, 0)
    settle(store, redis)

    def opened(pending):
        with app.app_context():
            found = set(db.session().scalars(select(StockoutCase.order_gid)
                                             .where(StockoutCase.order_gid.in_([k for k, _ in pending]))))
            db.session().rollback()
        return found

    watch = Watch(opened, step=0.02)
    watch.start()
    placed = {}
    for n in range(orders):
        at = time.time()
        order = store.control("POST", store.shop_path("/orders"),
                              lines=[{"variant_id": variant, "quantity": 1}], email=f"buyer{n}@example.com")
        placed[order["admin_graphql_api_id"]] = at
        watch.expect(order["admin_graphql_api_id"], True)
        time.sleep(1 / per_second)
    wait_until(lambda: not watch.pending, 120, "some oversold orders never got a case")
    watch.stopped = True
    settle(store, redis)
    received = received_times(app, "orders/create", lambda b: b["admin_graphql_api_id"])
    return {"orders": len(placed),
            "webhook_received_to_case_opened": figures([watch.seen[g] - received[g] for g in placed]),
            "order_placed_to_case_opened": figures([watch.seen[g] - t for g, t in placed.items()]),
            "where_the_time_goes": oversold_breakdown(app, item, list(placed), received, watch.seen)}


def oversold_breakdown(app, item: int, orders: list[str], received: dict, seen: dict) -> dict:
    """Per oversold order, from its orders/create received: the level reading (-n) received, each processed, case seen.

    The case can only open once both the order and the reading that takes the variant below zero are in.
    """
    times = {}
    with app.app_context():
        rows = db.session().execute(select(WebhookEvent.topic, WebhookEvent.raw_body, WebhookEvent.received_at,
                                           WebhookEvent.processed_at)
                                    .where(WebhookEvent.topic.in_(("orders/create", "inventory_levels/update"))))
        for topic, raw, received_at, processed_at in rows:
            body = json.loads(raw)
            key = body["admin_graphql_api_id"] if topic == "orders/create" else (body["inventory_item_id"],
                                                                                  body["available"])
            times.setdefault(key, (received_at.timestamp(), processed_at.timestamp() if processed_at else None))
    spans: dict[str, list[float]] = {"level_received": [], "order_processed": [], "level_processed": [],
                                     "case_seen_after_both_processed": []}
    for n, order_gid in enumerate(orders):
        start, level = received[order_gid], times.get((item, -(n + 1)))
        order_done = times[order_gid][1]
        if level is None or level[1] is None or order_done is None:
            continue
        spans["level_received"].append(level[0] - start)
        spans["order_processed"].append(order_done - start)
        spans["level_processed"].append(level[1] - start)
        spans["case_seen_after_both_processed"].append(seen[order_gid] - max(order_done, level[1]))
    return {name: figures(values) for name, values in spans.items()}


def bulk_presale(store, app, redis, shop_id: int, count: int) -> dict:
    """`count` products with a restock date 5 days out sell out at once and all go presale."""
    products = add_products(store, count, units=5, prefix="Bulk")
    for _product, _variant, item in products:
        set_available(store, item, 4)
    settle(store, redis, timeout=900)
    with app.app_context():
        shop_row = db.session().get(Shop, shop_id)
        set_restock_plan(shop_id, "shop", restock_date=local_date(shop_row, db.utcnow()) + timedelta(days=5),
                         reason="supplier_shortage")
    settle(store, redis, timeout=900)
    inner = store.emulator.store.shop(SHOP)
    bucket = inner.bucket
    wait_until(lambda: bucket.status()["currentlyAvailable"] >= bucket.status()["maximumAvailable"] - 1, 60,
               "the bucket did not refill")
    before = dict(inner.counters)
    meter = BucketMeter(bucket)
    meter.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: set_available(store, p[2], 0), products))
    variants = [inner.variants[v] for _p, v, _i in products]
    wait_until(lambda: all(v.inventory_policy == "CONTINUE" for v in variants)
               and all("stockout-presale" in inner.products[p].tags for p, _v, _i in products), 900,
               "not every product went presale")
    meter.stopped = True
    meter.join()
    after = dict(inner.counters)
    settle(store, redis)
    calls = after.get("requests", 0) - before.get("requests", 0)
    throttled = after.get("throttled", 0) - before.get("throttled", 0)
    return {"products": count, "seconds": round(meter.elapsed, 1), "calls": calls, "throttled": throttled,
            "throttled_share": round(throttled / calls, 4) if calls else None,
            "points_spent": round(meter.spent), "points_per_product": round(meter.spent / count, 1),
            "points_allowed": round(meter.allowed),
            "budget_used_share": round(meter.spent / meter.allowed, 3)}


class BucketMeter(threading.Thread):
    """Samples the shop's bucket every 50 ms: points spent, and points the app was allowed to spend meanwhile."""

    def __init__(self, bucket):
        super().__init__(daemon=True)
        self.bucket, self.stopped = bucket, False
        self.spent = self.elapsed = 0.0
        status = bucket.status()
        self.allowed = status["currentlyAvailable"]

    def run(self) -> None:
        last, at, started = self.bucket.status(), time.monotonic(), time.monotonic()
        while not self.stopped:
            time.sleep(0.05)
            status, now = self.bucket.status(), time.monotonic()
            rate, ceiling = status["restoreRate"], status["maximumAvailable"]
            refilled = min(ceiling, last["currentlyAvailable"] + rate * (now - at))
            self.spent += max(0.0, refilled - status["currentlyAvailable"])
            self.allowed += rate * (now - at)
            last, at = status, now
        self.elapsed = at - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100, help="inventory events per second")
    parser.add_argument("--crossings", type=float, default=1, help="of which take a product out or back, per second")
    parser.add_argument("--orders", type=int, default=40, help="0 skips the oversold benchmark")
    parser.add_argument("--bulk", type=int, default=200, help="0 skips the bulk benchmark")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    database_url = fresh_database()
    store = open_store(WEBHOOK_WORKERS=8)
    store.control("POST", "/reset")
    store.control("POST", "/seed")
    port = free_port()
    settings = bench_settings(database_url, store.url, f"http://127.0.0.1:{port}")
    store.control("POST", "/app", app_url=settings.app_url)
    app, redis = create_app(settings), Redis.from_url(REDIS_URL)
    results = {}
    try:
        with web(settings, port), workers(settings, args.workers):
            with app.app_context():
                shop = install_from_session_token(store.control("POST", "/session-token", shop=SHOP)["token"])
            settle(store, redis)
            results["inventory_to_product"] = inventory_to_product(store, app, redis, args.seconds, args.rate,
                                                                   args.crossings)
            print(json.dumps(results, indent=2), flush=True)
            if args.orders:
                results["oversold_to_case"] = oversold_to_case(store, app, redis, args.orders, per_second=4)
                print(json.dumps(results, indent=2), flush=True)
            if args.bulk:
                results["bulk_presale"] = bulk_presale(store, app, redis, shop.id, args.bulk)
    finally:
        store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
