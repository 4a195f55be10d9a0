"""Webhook intake benchmark: the app's POST /webhooks against a bare Flask endpoint, under one gunicorn setup.

    .venv/bin/python -m bench.intake            # full run (about 5 minutes); --quick for a smoke run

Phases: (1) maximum sustained rate of the bare endpoint and of the app (open loop, rising rates, the two
servers' steps interleaved so that both meet the same background load);
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


def max_rates(ports: dict[str, int], requests: setup.Requests, rates: list[int], seconds: float) -> dict:
    """The highest sustained rate of each server, their steps interleaved so both meet the same conditions."""
    for port in ports.values():
        # Warm-up, not measured: each gunicorn thread opens its database and Redis connections on first use.
        load.run(HOST, port, requests.batch(400)[1], 100)
    best, steps, running = {name: 0 for name in ports}, {name: [] for name in ports}, set(ports)
    for rate in rates:
        for name in [n for n in ports if n in running]:
            # A failed step runs once more: on this shared machine a burst of someone else's work, or one
            # keep-alive connection gunicorn leaves unanswered, would otherwise end the ladder early.
            for _attempt in range(2):
                outcome = load.run(HOST, ports[name], requests.batch(int(rate * seconds))[1], rate)
                steps[name].append(outcome.summary())
                print(f"    {name:5s}", json.dumps(steps[name][-1]), flush=True)
                time.sleep(1)
                if sustained(outcome):
                    best[name] = rate
                    break
            else:
                running.discard(name)
        if not running:
            break
    return {"best": best, "steps": steps}


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


def steady(args, port: int, requests, engine) -> dict:
    """300 req/s for the web tier alone (in production the workers run on their own machines)."""
    setup.empty_events(args.database_url)
    ids, batch = requests.batch(int(300 * args.steady_seconds))
    outcome = load.run(HOST, port, batch, 300)
    acked = [ids[i] for i in outcome.acknowledged]
    return {"at_300_rps": outcome.summary(), "acknowledged": len(acked), "recorded": sum(counts(engine, acked).values())}


def burst(args, port: int, env, requests, engine, rate: int) -> dict:
    """The burst arrives with no worker running; then two workers process the backlog."""
    setup.empty_events(args.database_url)
    Redis.from_url(args.redis_url).flushdb()
    made = [requests.make() for _ in range(args.burst_unique)]
    duplicates = random.Random(1).choices(made, k=args.burst_total - args.burst_unique)
    sequence = made + duplicates
    random.Random(2).shuffle(sequence)
    ids = [event_id for event_id, _ in made]
    started = time.monotonic()
    outcome = load.run(HOST, port, [raw for _, raw in sequence], rate)
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
    rates = [200, 250, 300, 350, 400, 450, 500, 550, 600, 700, 800, 900, 1000, 1100, 1250, 1400, 1600, 1800, 2000,
             2500, 3000, 4000]
    Redis.from_url(args.redis_url).flushdb()
    domains = setup.fresh_database(args.database_url, args.shops)
    env = setup.environment(args.database_url, args.redis_url)
    engine = create_engine(normalized_database_url(args.database_url))
    requests = setup.Requests(domains, HOST)
    report = {"gunicorn": f"{workers} workers x {threads} threads"}

    print(f"== maximum sustained rate, bare endpoint and app, gunicorn {args.gunicorn}", flush=True)
    ports = {"bare": args.port, "app": args.port + 1}
    servers = []
    try:
        bare = setup.start_gunicorn("bench.intake_bare:create_app()", ports["bare"], workers, threads, env)
        servers.append(bare)
        servers.append(setup.start_gunicorn("app:create_app()", ports["app"], workers, threads, env))
        found = max_rates(ports, requests, rates, args.step_seconds)
        report.update(bare_max_rps=found["best"]["bare"], app_max_rps=found["best"]["app"], steps=found["steps"])
        report["app_vs_bare"] = round(report["app_max_rps"] / max(report["bare_max_rps"], 1), 2)
        setup.stop(bare)
        print("== 300 req/s", flush=True)
        report["steady"] = steady(args, ports["app"], requests, engine)
        print(f"== burst of {args.burst_total} ({args.burst_total - args.burst_unique} duplicates)", flush=True)
        report["burst"] = burst(args, ports["app"], env, requests, engine, max(int(report["app_max_rps"] * 0.8), 300))
    finally:
        for server in servers:
            setup.stop(server)
        engine.dispose()
        Redis.from_url(args.redis_url).flushdb()
    print(json.dumps({k: v for k, v in report.items() if k != "steps"}, indent=2))


if __name__ == "__main__":
    main()
