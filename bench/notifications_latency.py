"""Oversold order → stockout e-mail: from the order's webhook to the e-mail accepted by the local SMTP server.

    .venv/bin/python -m bench.notifications_latency [--orders 120] [--rate 2] [--workers 2]

The whole path runs as in production: the store emulator places each order (out of stock, so it is oversold) and
POSTs its signed `orders/create` webhook to the app under gunicorn; the intake records it and enqueues the shop's
drain; a worker handles the event, opens the case, builds the offer and sends the notice through SMTP. Orders are
placed one by one at `--rate` a second, each with a buyer of its own, after a few unmeasured warm-up orders.

Two clocks start each measurement: `from_order_placed` when the bench asked the store for the order (the webhook
leaves right after), `from_webhook_received` when the intake recorded the delivery (WebhookEvent.received_at).
Both end when the SMTP server accepted the e-mail to that order's buyer. Same host, same clock.
"""

from __future__ import annotations

import argparse
import json
import os
import time

# This benchmark's own database and Redis db (the flash sale's stage reads them when imported).
os.environ.setdefault("BENCH_DATABASE", "stockout_bench_helper7")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")

from sqlalchemy import select  # noqa: E402

from bench import stack  # noqa: E402
from bench.flash_sale_stack import SHOP, Stage, build, flash_variants, settle  # noqa: E402
from app import db  # noqa: E402
from app.models import Notification, StockoutCase, WebhookEvent  # noqa: E402


def place(stage: Stage, variant_id: int, buyer: str) -> tuple[float, str]:
    """One oversold order for one buyer: when it was asked for, and its id."""
    asked = time.time()
    placed = stage.store.control("POST", stage.store.shop_path("/scenarios/flash-sale"), orders=1,
                                 variant_ids=[variant_id], buyer_prefix=buyer, phone_every=0)
    return asked, placed["order_ids"][0]


def received_at(stage: Stage) -> dict[str, float]:
    """When the intake recorded each order's `orders/create` delivery, by order id (numeric, as in the body)."""
    with stage.app.app_context():
        rows = db.session().execute(select(WebhookEvent.raw_body, WebhookEvent.received_at)
                                    .where(WebhookEvent.topic == "orders/create")).all()
        db.session().rollback()
    found: dict[str, float] = {}
    for body, at in rows:
        order_id = str(json.loads(body)["id"]) if body else None
        if order_id and order_id not in found:
            found[order_id] = at.timestamp()
    return found


def steps(stage: Stage, asked: dict[str, tuple[float, str]], arrived: dict[str, float]) -> dict:
    """Where the time went, median per step: webhook recorded → event handled → notice stored → e-mail accepted."""
    with stage.app.app_context():
        events = {str(json.loads(body)["id"]): (received.timestamp(), handled.timestamp() if handled else None)
                  for body, received, handled in db.session().execute(
                      select(WebhookEvent.raw_body, WebhookEvent.received_at, WebhookEvent.processed_at)
                      .where(WebhookEvent.topic == "orders/create")).all()}
        stored = {order.rsplit("/", 1)[-1]: (opened.timestamp(), created.timestamp()) for order, opened, created in
                  db.session().execute(
                      select(StockoutCase.order_gid, StockoutCase.created_at, Notification.created_at)
                      .join(Notification, Notification.case_id == StockoutCase.id)
                      .where(Notification.channel == "email", Notification.kind == "stockout_notice")).all()}
        db.session().rollback()
    parts: dict[str, list[float]] = {"intake_to_handled": [], "handled_to_case_opened": [],
                                     "case_opened_to_notice_stored": [], "notice_stored_to_smtp": []}
    for to, (_at, order) in asked.items():
        if order not in events or order not in stored or events[order][1] is None:
            continue
        (received, handled), (opened, created) = events[order], stored[order]
        parts["intake_to_handled"].append(handled - received)
        parts["handled_to_case_opened"].append(opened - handled)
        parts["case_opened_to_notice_stored"].append(created - opened)
        parts["notice_stored_to_smtp"].append(arrived[to] - created)
    return {name: round(stack.percentile(values, 0.5), 3) for name, values in parts.items() if values}


def summary(latencies: list[float]) -> dict:
    return {"messages": len(latencies), "p50_s": round(stack.percentile(latencies, 0.5), 3),
            "p90_s": round(stack.percentile(latencies, 0.9), 3), "p99_s": round(stack.percentile(latencies, 0.99), 3),
            "max_s": round(max(latencies), 3)}


def run(args) -> dict:
    stage = build(own_redis=False, sms_rate=10.0, webhook_threads=4)
    try:
        [(_product, variant, _item)] = flash_variants(stage, 1, 0)
        for n in range(1, args.workers + 1):
            stage.start_worker(f"flash-{n}")
        stage.wait_workers(args.workers)
        settle(stage, 300)
        asked: dict[str, tuple[float, str]] = {}
        load_before = stack.load_average()
        for k in range(args.warm_up + args.orders):
            started = time.time()
            at, order_gid = place(stage, variant, f"lat{k}")
            if k >= args.warm_up:
                asked[f"lat{k}-0@example.com"] = (at, order_gid.rsplit("/", 1)[-1])
            time.sleep(max(0.0, 1 / args.rate - (time.time() - started)))
        addresses = set(asked)
        stack.wait_until(lambda: addresses <= {to for _at, to, _id in stage.smtp.arrivals()}, 120,
                         "not every buyer had the stockout e-mail")
        arrived: dict[str, float] = {}
        for at, to, _id in stage.smtp.arrivals():
            arrived.setdefault(to, at)
        recorded = received_at(stage)
        placed = [arrived[to] - at for to, (at, _order) in asked.items()]
        intake = [arrived[to] - recorded[order] for to, (_at, order) in asked.items() if order in recorded]
        return {"shop": SHOP, "orders": args.orders, "rate_per_s": args.rate, "workers": args.workers,
                "from_order_placed": summary(placed), "from_webhook_received": summary(intake),
                "median_steps_s": steps(stage, asked, arrived),
                "load_average_before_and_after": [load_before, stack.load_average()]}
    finally:
        stage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=120)
    parser.add_argument("--rate", type=float, default=2.0, help="oversold orders placed per second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm-up", type=int, default=5)
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
