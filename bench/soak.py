"""Soak: steady signed webhooks through the whole stack for an hour, memory of web, workers and Redis sampled.

The store emulator places orders (a share of them with an oversold line, so cases open and notices go out by
e-mail and SMS) and moves stock; it signs and delivers orders/create, inventory_levels/update and whatever the
app's own catalogue changes announce, some of them twice. Gunicorn (the Procfile's flags), `python -m app
worker` processes, a Redis server of the soak's own, local SMTP and Twilio servers do the rest.

Run: `.venv/bin/python -m bench.soak [--minutes 60]` (PostgreSQL on 127.0.0.1:5432; see bench/README.md).
Exits 1 when memory grew more than 10 % after warm-up, the peak total passed 600 MB, or an exact count failed.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import os
import socket
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, text, update

from app import create_app, db
from app.config import normalized_database_url
from app.models import ShopSettings
from app.shopify.install import install_from_session_token
from bench import stack
from bench.catalogue_stack import SHOP, add_products, open_store, queues_idle, set_available, settle
from bench.flash_sale_stack import settings_for
from tests.support.sms_provider import FakeTwilio

MB = 1024 * 1024
GROUPS = ("web", "workers", "redis")
DONE = ("delivered", "failed", "dropped")


def free_port_in(first: int, last: int) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


# --- memory ---------------------------------------------------------------------------------------------------

def family(pid: int) -> list[int]:
    """The process and all its descendants (gunicorn's master and workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(stack.children(current))
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB; PSS shares pages a fork shares with its parent, so a group's PSS adds up honestly."""
    try:
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
        pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                   if line.startswith("Pss:"))
        return rss, pss
    except (OSError, StopIteration):
        return 0, 0


class Sampler(threading.Thread):
    """Every `step` seconds: RSS and PSS per process and per group, and how far the load has got."""

    def __init__(self, roots: dict[str, list[int]], step: float, out: Path, progress):
        super().__init__(daemon=True)
        self.roots, self.step, self.progress = roots, step, progress
        self.rows: list[dict] = []
        self.stopped = threading.Event()
        self.started = time.monotonic()
        self.groups_csv, self.processes_csv = out / "memory.csv", out / "processes.csv"

    def run(self) -> None:
        with self.groups_csv.open("w", newline="") as groups, self.processes_csv.open("w", newline="") as processes:
            per_process = csv.writer(processes)
            per_process.writerow(["elapsed_s", "group", "pid", "rss_mb", "pss_mb"])
            writer = None
            while not self.stopped.wait(0 if not self.rows else self.step):
                row, pids = self.sample()
                self.rows.append(row)
                if writer is None:
                    writer = csv.DictWriter(groups, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(row)
                per_process.writerows([row["elapsed_s"], *p] for p in pids)
                groups.flush()
                processes.flush()

    def sample(self) -> tuple[dict, list]:
        row = {"elapsed_s": round(time.monotonic() - self.started, 1),
               "utc": datetime.now(timezone.utc).strftime("%H:%M:%S"),
               "load1": float(Path("/proc/loadavg").read_text().split()[0])}
        pids = []
        for group in GROUPS:
            rss = pss = 0
            for pid in itertools.chain.from_iterable(family(root) for root in self.roots[group]):
                one = memory_kb(pid)
                rss, pss = rss + one[0], pss + one[1]
                pids.append((group, pid, round(one[0] / 1024, 1), round(one[1] / 1024, 1)))
            row[f"{group}_rss_mb"], row[f"{group}_pss_mb"] = round(rss / 1024, 1), round(pss / 1024, 1)
        row["total_rss_mb"] = round(sum(row[f"{g}_rss_mb"] for g in GROUPS), 1)
        row["total_pss_mb"] = round(sum(row[f"{g}_pss_mb"] for g in GROUPS), 1)
        row.update(self.progress())
        return row, pids


# --- load -----------------------------------------------------------------------------------------------------

class Load(threading.Thread):
    """Orders and stock moves at a steady rate, each an emulator call in a small thread pool."""

    def __init__(self, store, plenty: list, oversold: list, args):
        super().__init__(daemon=True)
        self.store, self.plenty, self.oversold, self.args = store, plenty, oversold, args
        self.stopped = threading.Event()
        self.counts: Counter = Counter()
        self.oversold_orders: set[str] = set()
        self.lock = threading.Lock()

    def run(self) -> None:
        rate = self.args.orders_per_second + self.args.inventory_per_second
        order_share = self.args.orders_per_second / rate
        every_oversold = max(1, round(1 / self.args.oversold_share)) if self.args.oversold_share else 0
        started, sent, orders = time.monotonic(), 0, 0
        with ThreadPoolExecutor(8) as pool:
            while not self.stopped.is_set():
                if int((sent + 1) * order_share) > int(sent * order_share):
                    oversold = bool(every_oversold) and orders % every_oversold == every_oversold - 1
                    pool.submit(self._order, orders, oversold)
                    orders += 1
                else:
                    pool.submit(self._stock_move, sent)
                sent += 1
                time.sleep(max(0.0, started + sent / rate - time.monotonic()))
        self.counts["seconds"] = time.monotonic() - started

    def _order(self, n: int, oversold: bool) -> None:
        _product, variant, _item = self.plenty[n % len(self.plenty)]
        lines = [{"variant_id": variant, "quantity": 1}]
        if oversold:
            lines.append({"variant_id": self.oversold[n % len(self.oversold)][1], "quantity": 1})
            extra = {"email": f"soak-{n}@example.com", "phone": f"+1415555{n % 10_000:04d}"}
        else:
            extra = {"email": f"shopper-{n}@example.com"}
        self._call("orders", lambda: self._placed(
            self.store.control("POST", self.store.shop_path("/orders"), lines=lines, **extra), oversold))

    def _placed(self, order: dict, oversold: bool) -> None:
        if oversold:
            with self.lock:
                self.oversold_orders.add(order["admin_graphql_api_id"])
                self.counts["oversold_orders"] += 1

    def _stock_move(self, n: int) -> None:
        item = self.plenty[n % len(self.plenty)][2]
        self._call("stock_moves", lambda: self.store.control(
            "POST", self.store.shop_path("/inventory"), inventory_item_id=item, delta=1 if n % 2 else -1))

    def _call(self, kind: str, work) -> None:
        try:
            work()
        except Exception:  # an emulator refusal is counted, not fatal: the soak goes on
            with self.lock:
                self.counts[f"{kind}_failed"] += 1
            return
        with self.lock:
            self.counts[kind] += 1


class Deliveries:
    """The emulator keeps its last 50,000 deliveries; harvested often enough, none is missed over an hour."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.done: dict[str, tuple[str, str, str, int]] = {}

    def harvest(self) -> None:
        for delivery in self.dispatcher.deliveries():
            if delivery.status in DONE:
                sends = sum(1 for a in delivery.attempts if a["status"] and 200 <= a["status"] < 300)
                self.done[delivery.id] = (delivery.event_id, delivery.topic, delivery.status, sends)

    def delivered_events(self) -> dict[str, str]:
        return {event: topic for event, topic, status, _ in self.done.values() if status == "delivered"}

    def counts(self) -> dict:
        statuses = Counter(status for _e, _t, status, _s in self.done.values())
        return {"deliveries": len(self.done), "accepted_posts": sum(s for *_r, s in self.done.values()),
                **{f"deliveries_{k}": v for k, v in statuses.items()}}


# --- accounting -----------------------------------------------------------------------------------------------

def progress(engine, load: Load, deliveries: Deliveries, smtp: stack.SmtpProcess, twilio: FakeTwilio, redis: Redis):
    def read() -> dict:
        deliveries.harvest()
        with engine.connect() as connection:
            events = dict(connection.execute(text("SELECT status, count(*) FROM webhook_events GROUP BY status")).all())
            cases = connection.execute(text("SELECT count(*) FROM stockout_cases")).scalar()
        backlog = sum(redis.llen(f"rq:queue:{q}") for q in ("webhooks", "notifications", "default", "low"))
        with load.lock:
            placed = dict(load.counts)
        return {"orders": placed.get("orders", 0), "oversold_orders": placed.get("oversold_orders", 0),
                "stock_moves": placed.get("stock_moves", 0), **deliveries.counts(),
                "events_recorded": sum(events.values()), "events_processed": events.get("processed", 0),
                "events_pending": events.get("pending", 0), "events_failed": events.get("failed", 0),
                "cases": cases, "emails": smtp.received, "sms": len(twilio.messages), "queued_jobs": backlog,
                "redis_used_mb": round(redis.info("memory")["used_memory"] / MB, 1)}
    return read


def exact_counts(engine, load: Load, deliveries: Deliveries, smtp: stack.SmtpProcess, twilio: FakeTwilio) -> dict:
    """Every accepted webhook recorded once and processed; one case per oversold order; one notice per channel."""
    deliveries.harvest()
    with engine.connect() as connection:
        recorded = dict(connection.execute(text("SELECT event_id, status FROM webhook_events")).all())
        cases = set(connection.execute(text("SELECT order_gid FROM stockout_cases")).scalars())
        notices = Counter(f"{c}:{s}" for c, s in connection.execute(text("SELECT channel, status FROM notifications")))
    return {**webhook_counts(deliveries, recorded),
            "oversold_orders": len(load.oversold_orders), "cases": len(cases),
            "oversold_without_case": len(load.oversold_orders - cases),
            "cases_without_oversold": len(cases - load.oversold_orders), "notifications": dict(notices),
            **once_each("emails", [arrival[1] for arrival in smtp.arrivals()]),
            **once_each("sms", [message.to for message in twilio.messages]),
            "load_failures": {k: v for k, v in load.counts.items() if k.endswith("_failed")}}


def webhook_counts(deliveries: Deliveries, recorded: dict[str, str]) -> dict:
    """Accepted deliveries (2xx) against the event rows; rows the app made itself (reconciliation) apart."""
    accepted = deliveries.delivered_events()
    missing = sorted(set(accepted) - set(recorded))
    unfinished = Counter(status for event, status in recorded.items()
                         if event in accepted and status not in ("processed", "ignored"))
    own = Counter(event.split(":")[0] if ":" in event else "other" for event in set(recorded) - set(accepted))
    return {"accepted_events": len(accepted), "accepted_by_topic": dict(Counter(accepted.values())),
            "posts_accepted_incl_duplicates": deliveries.counts()["accepted_posts"],
            "failed_deliveries": deliveries.counts().get("deliveries_failed", 0),
            "event_rows": len(recorded), "events_by_status": dict(Counter(recorded.values())),
            "accepted_not_recorded": len(missing), "accepted_not_recorded_sample": missing[:5],
            "accepted_not_processed": dict(unfinished), "rows_not_from_deliveries": dict(own)}


def once_each(name: str, recipients: list[str]) -> dict:
    counted = Counter(recipients)
    return {name: len(recipients), f"{name}_recipients": len(counted),
            f"{name}_twice_or_more": sum(1 for n in counted.values() if n > 1)}


def verdict(summary: dict, growth_limit: float = 10.0, total_limit: float = 600.0) -> dict:
    """The soak's targets: growth after warm-up, peak total, and the counts that must be exact."""
    memory, exact = summary["memory_mb"], summary["exact"]
    return {
        "growth_ok": all(memory[f"{g}_rss_mb"]["growth_pct"] <= growth_limit for g in (*GROUPS, "total")),
        "peak_total_rss_ok": memory["total_rss_mb"]["peak"] <= total_limit,
        "every_accepted_webhook_processed": not exact["accepted_not_recorded"] and not exact["accepted_not_processed"],
        "one_case_per_oversold_order": not exact["oversold_without_case"] and not exact["cases_without_oversold"],
        "one_notice_per_case": exact["emails"] == exact["emails_recipients"] == exact["cases"]
        and exact["sms"] == exact["sms_recipients"] == exact["cases"],
    }


def window_mean(rows: list[dict], start: float, seconds: float, key: str) -> float:
    chosen = [r[key] for r in rows if start <= r["elapsed_s"] < start + seconds] or [rows[-1][key]]
    return sum(chosen) / len(chosen)


def memory_summary(rows: list[dict], warmup: float, end: float) -> dict:
    """Mean of the minute after warm-up against the mean of the last minute of load, per group; peaks."""
    during = [r for r in rows if r["elapsed_s"] <= end]
    found = {}
    for group in (*GROUPS, "total"):
        for kind in ("rss", "pss"):
            key = f"{group}_{kind}_mb"
            after = window_mean(during, warmup, 60, key)
            last = window_mean(during, max(warmup, end - 60), 60, key)
            found[key] = {"after_warmup": round(after, 1), "end": round(last, 1),
                          "growth_pct": round(100 * (last - after) / after, 1) if after else None,
                          "peak": max(r[key] for r in rows)}
    return found


# --- the run --------------------------------------------------------------------------------------------------

def stage_store(store, settings, args) -> tuple[list, list]:
    """The demo shop with the app installed, quiet hours off, plentiful variants and a few sold-out ones."""
    store.control("POST", "/app", app_url=settings.app_url)
    plenty = add_products(store, 20, units=10_000_000, prefix="Plenty")
    oversold = add_products(store, args.oversold_variants, units=1, prefix="Soldout")
    return plenty, oversold


def install(app, store) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's access log, after the app's set-up
    with app.app_context():
        shop = install_from_session_token(store.control("POST", "/session-token", shop=SHOP)["token"])
        # Quiet hours off so the soak can run at any hour; SMS on so both channels carry notices.
        db.session().execute(update(ShopSettings).where(ShopSettings.shop_id == shop.id).values(
            quiet_hours_start=0, quiet_hours_end=0, sms_enabled=True, sender_name="Soak Apparel"))
        db.session().commit()


def run(args, out: Path) -> dict:
    redis_server = stack.RedisServer(out / "redis")
    redis_server.port = free_port_in(args.first_port, args.last_port)
    redis_server.start()
    web_port = free_port_in(args.first_port, args.last_port)
    database_url = stack.fresh_database(args.database, redis_server.url)
    engine = create_engine(normalized_database_url(database_url))
    store = open_store(WEBHOOK_WORKERS=8)
    store.control("POST", "/reset")
    store.control("POST", "/seed")
    redis = Redis.from_url(redis_server.url)
    processes = []
    with stack.SmtpProcess() as smtp, FakeTwilio() as twilio:
        settings = settings_for(database_url, redis_server.url, store.url, web_port, smtp, twilio, sms_rate=50)
        env = stack.app_environment(settings)
        plenty, oversold = stage_store(store, settings, args)
        try:
            processes.append(stack.start_web(env, web_port))
            processes += [stack.start_worker(env, f"soak-{n}") for n in range(args.workers)]
            install(create_app(settings), store)
            for _product, _variant, item in oversold:
                set_available(store, item, 0)
            settle(store, redis, timeout=300)
            store.control("POST", "/webhooks/chaos", duplicate=args.duplicates, seed=7)
            roots = {"web": [processes[0].pid], "workers": [p.pid for p in processes[1:]],
                     "redis": [redis_server.process.pid]}
            return measure(args, out, engine, store, redis, smtp, twilio, plenty, oversold, roots)
        finally:
            for process in processes:
                stack.stop(process)
            store.close()
            redis_server.close()
            engine.dispose()


def measure(args, out, engine, store, redis, smtp, twilio, plenty, oversold, roots) -> dict:
    load, deliveries = Load(store, plenty, oversold, args), Deliveries(store.emulator.dispatcher)
    sampler = Sampler(roots, args.sample_seconds, out, progress(engine, load, deliveries, smtp, twilio, redis))
    started = time.monotonic()
    sampler.start()
    load.start()
    print(f"soak: {args.minutes} min, samples in {sampler.groups_csv}", flush=True)
    load.stopped.wait(args.minutes * 60)
    load.stopped.set()
    load.join()
    load_seconds = time.monotonic() - started
    drain_started = time.monotonic()
    drained = drain(store, redis, engine, args.drain_timeout)
    drain_seconds = time.monotonic() - drain_started
    time.sleep(args.sample_seconds)
    sampler.stopped.set()
    sampler.join()
    counts = exact_counts(engine, load, deliveries, smtp, twilio)
    rows = sampler.rows
    summary = {
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "minutes": args.minutes, "warmup_minutes": args.warmup_minutes, "samples": len(rows),
        "load_average_at_end": stack.load_average(),
        "load1_mean": round(sum(r["load1"] for r in rows) / len(rows), 2),
        "throughput": {"orders_per_s": round(load.counts["orders"] / load_seconds, 2),
                       "stock_moves_per_s": round(load.counts["stock_moves"] / load_seconds, 2),
                       "webhooks_accepted_per_s": round(counts["posts_accepted_incl_duplicates"] / load_seconds, 2),
                       "events_processed_per_s": round(counts["events_by_status"].get("processed", 0) /
                                                       (load_seconds + drain_seconds), 2),
                       "drain_after_load_s": round(drain_seconds, 1), "drained": drained},
        "backlog": {"events_pending_max": max(r["events_pending"] for r in rows),
                    "events_pending_at_load_end": [r for r in rows if r["elapsed_s"] <= load_seconds][-1][
                        "events_pending"],
                    "queued_jobs_max": max(r["queued_jobs"] for r in rows)},
        "memory_mb": memory_summary(rows, args.warmup_minutes * 60, load_seconds),
        "exact": counts,
        "csv": {"groups": str(sampler.groups_csv), "processes": str(sampler.processes_csv)},
    }
    summary["verdict"] = verdict(summary)
    return summary


def drain(store, redis, engine, timeout: float) -> bool:
    """Until everything sent is processed; False if the time ran out (the counts then show what is left)."""
    deadline = time.monotonic() + timeout
    try:
        settle(store, redis, timeout=timeout)
        stack.wait_until(lambda: _no_pending(engine) and queues_idle(redis), deadline - time.monotonic(),
                         "events still pending")
    except TimeoutError:
        return False
    return True


def _no_pending(engine) -> bool:
    with engine.connect() as connection:
        return not connection.execute(text("SELECT count(*) FROM webhook_events WHERE status = 'pending'")).scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--warmup-minutes", type=float, default=5, help="memory growth counts from here")
    parser.add_argument("--orders-per-second", type=float, default=1)
    parser.add_argument("--oversold-share", type=float, default=0.25, help="orders with an oversold line")
    parser.add_argument("--oversold-variants", type=int, default=8)
    parser.add_argument("--inventory-per-second", type=float, default=2, help="stock moves on in-stock variants")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of webhooks the emulator sends twice")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--drain-timeout", type=float, default=1800, help="seconds to wait for the backlog")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "stockout_bench_soak"))
    parser.add_argument("--first-port", type=int, default=9200)
    parser.add_argument("--last-port", type=int, default=9299)
    parser.add_argument("--out", type=Path, help="directory for the CSVs and summary (default: a new temp dir)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="soak-"))
    out.mkdir(parents=True, exist_ok=True)
    summary = run(args, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    if not all(summary["verdict"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
