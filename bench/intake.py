"""Webhook intake benchmark: the app's POST /webhooks against a bare Flask endpoint, under one gunicorn setup.

    .venv/bin/python -m bench.intake            # full run (about 5 minutes); --quick for a smoke run

Phases: (1) maximum sustained rate of the bare endpoint and of the app (open loop, rising rates);
(2) the app at 300 req/s, latency distribution, every acknowledged delivery recorded;
(3) a burst of 10,000 deliveries, 30 % of them duplicates, then two workers process the backlog:
exactly 7,000 recorded and processed, how long it took, jobs/s and events/s per worker.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from redis import Redis
from sqlalchemy import create_engine, func, select

from app.config import normalized_database_url
from app.models import WebhookEvent
from bench import intake_load as load
from bench import intake_setup as setup

HOST = "127.0.0.1"


def sustained(outcome: load.Outcome) -> bool:
    """Kept up: every request answered 200, at the offered rate, without a growing queue."""
    return (outcome.statuses.get(200, 0) == outcome.sent and outcome.achieved_rate >= 0.95 * outcome.offered_rate
            and outcome.percentile(99) < 0.5)


def max_rate(port: int, requests: setup.Requests, rates: list[int], seconds: float) -> tuple[int, list[dict]]:
    # Warm-up, not measured: each gunicorn thread opens its database and Redis connections on first use.
    load.run(HOST, port, requests.batch(400)[1], 100)
    best, steps = 0, []
    for rate in rates:
        _, batch = requests.batch(int(rate * seconds))
        outcome = load.run(HOST, port, batch, rate)
        steps.append(outcome.summary())
        print("   ", json.dumps(steps[-1]), flush=True)
        if not sustained(outcome):
            break
        best = rate
        time.sleep(1)
    return best, steps


def counts(engine, event_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(event_ids), 5000):
            chunk = event_ids[start:start + 5000]
            rows = connection.execute(select(WebhookEvent.status, func.count()).where(
                WebhookEvent.event_id.in_(chunk)).group_by(WebhookEvent.status)).all()
            for status, n in rows:
                found[status] = found.get(status, 0) + n
    return found


def wait_processed(engine, event_ids: list[str], expected: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if counts(engine, event_ids).get("processed", 0) >= expected:
            return time.monotonic() - started
        time.sleep(0.25)
    raise RuntimeError(f"not all processed within {timeout} s: {counts(engine, event_ids)}")


def worker_stats(redis_url: str) -> list[dict]:
    from rq import Worker

    return [{"name": w.name, "jobs": w.successful_job_count, "busy_s": round(w.total_working_time, 1)}
            for w in Worker.all(connection=Redis.from_url(redis_url)) if w.name.startswith("bench-")]


def steady(args, requests, engine) -> dict:
    """300 req/s for the web tier alone (in production the workers run on their own machines)."""
    setup.empty_events(args.database_url)
    ids, batch = requests.batch(int(300 * args.steady_seconds))
    outcome = load.run(HOST, args.port, batch, 300)
    acked = [ids[i] for i in outcome.acknowledged]
    return {"at_300_rps": outcome.summary(), "acknowledged": len(acked), "recorded": sum(counts(engine, acked).values())}


def burst(args, env, requests, engine, rate: int) -> dict:
    """The burst arrives with no worker running; then two workers process the backlog."""
    setup.empty_events(args.database_url)
    Redis.from_url(args.redis_url).flushdb()
    made = [requests.make() for _ in range(args.burst_unique)]
    duplicates = random.Random(1).choices(made, k=args.burst_total - args.burst_unique)
    sequence = made + duplicates
    random.Random(2).shuffle(sequence)
    ids = [event_id for event_id, _ in made]
    started = time.monotonic()
    outcome = load.run(HOST, args.port, [raw for _, raw in sequence], rate)
    sent_in = time.monotonic() - started
    with engine.connect() as connection:
        recorded = connection.execute(select(func.count()).select_from(WebhookEvent)).scalar()
    workers = setup.start_workers(2, env)
    try:
        processed_in = wait_processed(engine, ids, len(ids), 900)
        stats = worker_stats(args.redis_url)
    finally:
        for worker in workers:
            setup.stop(worker)
    return {"offered_rps": rate, "intake": outcome.summary(), "sent_in_s": round(sent_in, 1),
            "recorded": recorded, "by_status": counts(engine, ids), "processed_in_s": round(processed_in, 1),
            "events_per_s": round(len(ids) / processed_in), "workers": stats,
            "jobs_per_s_per_worker": [round(w["jobs"] / processed_in, 2) for w in stats],
            "events_per_s_per_worker": round(len(ids) / processed_in / max(len(stats), 1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/stockout_bench_intake")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--gunicorn", default="2x8", help="workers x threads, as in the Procfile")
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--step-seconds", type=float, default=5)
    parser.add_argument("--steady-seconds", type=float, default=30)
    parser.add_argument("--burst-total", type=int, default=10_000)
    parser.add_argument("--burst-unique", type=int, default=7_000)
    parser.add_argument("--quick", action="store_true", help="short steps and a small burst (smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.step_seconds, args.steady_seconds, args.burst_total, args.burst_unique = 2, 5, 1000, 700
    workers, threads = (int(n) for n in args.gunicorn.split("x"))
    rates = [200, 300, 400, 500, 650, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000]
    Redis.from_url(args.redis_url).flushdb()
    domains = setup.fresh_database(args.database_url, args.shops)
    env = setup.environment(args.database_url, args.redis_url)
    engine = create_engine(normalized_database_url(args.database_url))
    requests = setup.Requests(domains, f"{HOST}:{args.port}")
    report = {"gunicorn": f"{workers} workers x {threads} threads"}

    print(f"== bare Flask endpoint, gunicorn {args.gunicorn}", flush=True)
    bare = setup.start_gunicorn("bench.intake_bare:create_app()", args.port, workers, threads, env)
    try:
        report["bare_max_rps"], report["bare_steps"] = max_rate(args.port, requests, rates, args.step_seconds)
    finally:
        setup.stop(bare)
    print(f"== the app's POST /webhooks, gunicorn {args.gunicorn}", flush=True)
    web = setup.start_gunicorn("app:create_app()", args.port, workers, threads, env)
    try:
        report["app_max_rps"], report["app_steps"] = max_rate(args.port, requests, rates, args.step_seconds)
        report["app_vs_bare"] = round(report["app_max_rps"] / report["bare_max_rps"], 2)
        print("== 300 req/s", flush=True)
        report["steady"] = steady(args, requests, engine)
        print(f"== burst of {args.burst_total} ({args.burst_total - args.burst_unique} duplicates)", flush=True)
        report["burst"] = burst(args, env, requests, engine, max(report["app_max_rps"], 300))
    finally:
        setup.stop(web)
        engine.dispose()
        Redis.from_url(args.redis_url).flushdb()
    print(json.dumps({k: v for k, v in report.items() if not k.endswith("_steps")}, indent=2))


if __name__ == "__main__":
    main()
