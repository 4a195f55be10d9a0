"""Flash sale: 10,000 orders in a burst through the emulator's quirky webhooks, the app's intake, workers, SMTP and SMS.

    .venv/bin/python -m bench.flash_sale [--orders 10000]
        [--scenario none|worker-kill|redis-restart|smtp-down|throttle|opt-out]

The emulator sells `--orders` orders at once over a handful of variants with limited stock, every buyer a
customer of their own (one in ten with a phone). It delivers 30 % of webhooks twice, holds 5 % back until a later
one went (out of order) and drops 5 %, left to reconciliation, which the bench runs (the job the periodic chain
runs every five minutes) until a pass finds nothing new. Two gunicorn workers take the webhooks; two worker
processes work the queues, a third joins halfway on the same Redis. Then a share of the customers choose
refund or wait on their choice link. The summary gives intake rate and latency, time until every customer of
an oversold order has a message handed to SMTP/SMS against a plain smtplib loop sending as many messages, jobs/s
per worker, peak memory per process, and the counts that must be exact; it exits 1 when one does not hold.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import smtplib
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench import flash_sale_checks as checks
from bench import flash_sale_faults as faults
from bench import stack
from bench.flash_sale_stack import Stage, build, flash_variants, settle
from app import queues
from app.choices import links

SCENARIOS = ("none", "worker-kill", "redis-restart", "smtp-down", "throttle", "opt-out")


def intake_figures(stage: Stage, started: float, finished: float) -> dict:
    """From the emulator's record of every delivery attempt: answers, latency, rate."""
    attempts = [a for d in stage.store.emulator.dispatcher.deliveries() for a in d.attempts]
    latencies = [a["ms"] for a in attempts if a["status"] and 200 <= a["status"] < 300]
    statuses: dict = {}
    for attempt in attempts:
        key = str(attempt["status"] or "error")
        statuses[key] = statuses.get(key, 0) + 1
    by_status: dict = {}
    for delivery in stage.store.emulator.dispatcher.deliveries():
        by_status[delivery.status] = by_status.get(delivery.status, 0) + 1
    elapsed = finished - started
    return {"attempts": len(attempts), "answers": statuses, "deliveries": by_status,
            "seconds": round(elapsed, 1), "rate_per_s": round(len(attempts) / elapsed, 1) if elapsed else None,
            "p50_ms": round(stack.percentile(latencies, 0.5), 1), "p90_ms": round(stack.percentile(latencies, 0.9), 1),
            "p99_ms": round(stack.percentile(latencies, 0.99), 1), "max_ms": round(max(latencies), 1)}


def reconcile(stage: Stage, timeout: float = 600) -> list[dict]:
    """Run the reconciliation job (as the periodic chain would) until a pass records nothing new."""
    passes = []
    while True:
        with stage.app.app_context():
            # With the retries every app job has: a pass that meets THROTTLED for too long runs again.
            job = queues.enqueue("low", "jobs.reconcile.reconcile_shop", stage.shop_id, timeout=600)
        stack.wait_until(lambda: job.get_status(refresh=True) in ("finished", "failed"), timeout,
                         "reconciliation did not finish", step=0.5)
        result = job.return_value() or {}
        passes.append(result)
        settle(stage, timeout)
        if not any(result.values()) or len(passes) >= 60:
            return passes


def choose(stage: Stage, case_ids: list[int], refund_every: int, wait_every: int) -> dict[str, list]:
    """A share of customers open their choice link on the web app and pick refund or wait (what the page
    refused, or did not offer, is listed under "refused")."""
    chosen: dict[str, list[int]] = {"refund": [], "wait": []}
    for n, case_id in enumerate(sorted(case_ids)):
        if n % refund_every == 0:
            chosen["refund"].append(case_id)
        elif n % wait_every == 1:
            chosen["wait"].append(case_id)
    base = f"http://127.0.0.1:{stage.port}"

    def pick(item: tuple[str, int]) -> int | str:
        option, case_id = item
        with stage.app.app_context():
            token = links.choice_token(stage.shop_id, case_id)
        with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
            page = client.get(f"/c/{token}").text
            form_token = re.search(r'name="form_token" value="([^"]+)"', page)
            expected = re.search(r'name="expected" value="([^"]*)"', page)
            if not (form_token and expected and f'value="{option}"' in page):
                return f"no {option} on the page"
            form = {"form_token": form_token.group(1), "expected": expected.group(1), "offer": option}
            return client.post(f"/c/{token}/choose", data=form).status_code

    items = [(option, case_id) for option, ids in chosen.items() for case_id in ids]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(pick, items))
    refused = [(item, answer) for item, answer in zip(items, answers) if answer != 303]
    for (option, case_id), _answer in refused:
        chosen[option].remove(case_id)
    chosen["refused"] = [f"case {case_id} {option}: {answer}" for (option, case_id), answer in refused]
    return chosen


def plain_loop(stage: Stage, count: int) -> float:
    """Seconds for a plain smtplib loop to hand `count` small messages to the same SMTP server."""
    stage.smtp.reset()
    started = time.time()
    with smtplib.SMTP(stage.smtp.host, stage.smtp.port) as connection:
        for n in range(count):
            body = (f"From: notices@concierge.example\r\nTo: plain{n}@example.com\r\nSubject: Your order\r\n"
                    f"Message-ID: <plain{n}@concierge.example>\r\n\r\nWe are short of one item of your order.\r\n")
            connection.sendmail("notices@concierge.example", [f"plain{n}@example.com"], body)
    stack.wait_until(lambda: stage.smtp.received >= count, 60, "plain loop messages did not arrive")
    return stage.smtp.arrivals()[-1][0] - started


def first_messages(stage: Stage, contacts: dict, smtp_arrivals) -> dict[int, float]:
    """When each case's customer first had a message handed over, on either channel."""
    by_address: dict[str, float] = {}
    for at, to, _id in smtp_arrivals:
        by_address.setdefault(to, at)
    for message in stage.twilio.messages:
        by_address.setdefault(message.to, time.time() - time.monotonic() + message.arrived_at)
    found = {}
    for case_id, (email, phone) in contacts.items():
        times = [by_address[a] for a in (email, phone) if a and a in by_address]
        if times:
            found[case_id] = min(times)
    return found


def memory(stage: Stage) -> dict:
    found = {"web_master": stack.peak_rss_mb(stage.web.pid)}
    for n, pid in enumerate(stack.children(stage.web.pid)):
        found[f"web_{n + 1}"] = stack.peak_rss_mb(pid)
    for name, process in {**stage.workers}.items():
        found[name] = stack.peak_rss_mb(process.pid)
    found["smtp_server"] = stack.peak_rss_mb(stage.smtp.pid)
    found["bench_with_emulator_and_twilio"] = stack.peak_rss_mb(os.getpid())
    if stage.own_redis:
        found["redis_server"] = stack.peak_rss_mb(stage.own_redis.process.pid)
    else:
        found["redis_used_memory_peak"] = int(stage.redis.info("memory")["used_memory_peak"]) / 2**20
    return {name: round(mb, 1) for name, mb in found.items()}


def worker_figures(stage: Stage, marks: dict) -> dict:
    """Jobs and jobs/s of each worker over its own lifetime, and the whole pool's rate before and after the third."""
    found = {}
    now = time.time()
    for worker in stage.rq_workers():
        alive = max(now - marks["worker_started"].get(worker.name, marks["burst"]), 1e-6)
        found[worker.name] = {"jobs": worker.successful_job_count, "failed": worker.failed_job_count,
                              "busy_s": round(worker.total_working_time, 1),
                              "jobs_per_s": round(worker.successful_job_count / alive, 2)}
    return found


def run(args) -> int:
    stage = build(own_redis=args.own_redis or args.scenario == "redis-restart", sms_rate=args.sms_rate,
                  webhook_threads=args.webhook_threads)
    report: dict = {"orders": args.orders, "scenario": args.scenario, "logs": str(stage.logs)}
    fault = faults.SCENARIOS[args.scenario](stage, args)
    try:
        variants = flash_variants(stage, args.variants, args.units)
        marks = {"worker_started": {}}
        for n in (1, 2):
            stage.start_worker(f"flash-{n}")
        stage.wait_workers(2)
        settle(stage, 300)
        fault.before_burst()
        stage.store.control("POST", "/webhooks/chaos", duplicate=0.30, reorder=0.05, drop=0.05, seed=args.seed)
        print(f"== burst of {args.orders} orders over {args.variants} variants of {args.units} units; "
              f"load {stack.load_average()}", flush=True)
        marks["burst"] = time.time()
        for name in ("flash-1", "flash-2"):
            marks["worker_started"][name] = marks["burst"]
        stage.store.http.timeout = httpx.Timeout(1800)  # the emulator places every order before it answers
        sale = stage.store.control("POST", stage.store.shop_path("/scenarios/flash-sale"), orders=args.orders,
                                   variant_ids=[v for _p, v, _i in variants], buyer_prefix="flash", phone_every=10,
                                   seed=args.seed)
        marks["placed"] = time.time()
        print(f"   {args.orders} orders placed in {marks['placed'] - marks['burst']:.0f} s", flush=True)
        halfway = False
        dispatcher = stage.store.emulator.dispatcher
        while not (dispatcher.wait_idle(0.5) and stage.queues_idle() and not stage.events_pending()):
            processed = checks.processed_events(stage)
            if not halfway and processed >= args.orders // 2:
                halfway = True
                marks["third_worker"] = time.time()
                marks["jobs_at_third"] = sum(w.successful_job_count for w in stage.rq_workers())
                stage.start_worker("flash-3")
                marks["worker_started"]["flash-3"] = time.time()
                print(f"   halfway ({processed} events processed): third worker; load {stack.load_average()}",
                      flush=True)
                fault.halfway()
            fault.tick()
            for name in stage.supervise():
                print(f"   worker {name} ended (exit {stage.retired[name]}); started again", flush=True)
            if "delivered" not in marks and dispatcher.wait_idle(0):
                marks["delivered"] = time.time()
            time.sleep(0.5)
        released = stage.store.control("POST", "/webhooks/release")["released"]
        marks["intake_done"] = time.time()
        settle(stage, 900)
        report["intake"] = intake_figures(stage, marks["burst"], marks.get("delivered", marks["intake_done"]))
        report["intake"]["held_released_at_end"] = released
        print(f"== intake done in {marks['intake_done'] - marks['burst']:.0f} s; reconciling; "
              f"load {stack.load_average()}", flush=True)
        report["reconciliation_passes"] = reconcile(stage)
        fault.after_intake()
        settle(stage, 900)
        marks["processed"] = time.time()
        with stage.app.app_context():
            contacts = checks.case_contacts(stage.shop_id)
            false_alarms = checks.case_contacts(stage.shop_id, ("restocked",), exclude=False)
            cases_short = len(contacts)
        try:
            def all_heard() -> bool:
                fault.tick()  # the notices may go out only now, once the burst has settled
                return set(first_messages(stage, contacts, stage.smtp.arrivals())) >= set(
                    contacts) - fault.silenced(contacts)

            stack.wait_until(all_heard, 900, "not every customer heard from us", step=0.5)
        except TimeoutError as error:
            print(f"   {error} within 900 s after processing; the counts below tell who", flush=True)
        notice_arrivals = stage.smtp.arrivals()
        heard = first_messages(stage, contacts, notice_arrivals)
        all_heard_s = max(heard.values()) - marks["burst"] if heard else float("nan")
        print(f"== {len(heard)} of {len(contacts)} customers heard in {all_heard_s:.1f} s; choosing; "
              f"load {stack.load_average()}", flush=True)
        report["workers_after_processing"] = worker_figures(stage, marks)
        chosen = choose(stage, [c for c in contacts if c in heard], args.refund_every, args.wait_every)
        settle(stage, 900)
        fault.after_choices()
        settle(stage, 900)
        smtp_arrivals = stage.smtp.arrivals()
        stage.supervise()
        report["workers"] = worker_figures(stage, marks)
        report["workers_ended_and_restarted"] = stage.retired
        report["memory_peak_mb"] = memory(stage)
        jobs_before = marks.get("jobs_at_third", 0)
        if "third_worker" in marks:
            report["pool_jobs_per_s"] = {
                "two_workers": round(jobs_before / max(marks["third_worker"] - marks["burst"], 1e-6), 1),
                "three_workers": round((sum(w["jobs"] for w in report["workers_after_processing"].values())
                                        - jobs_before) / max(marks["processed"] - marks["third_worker"], 1e-6), 1)}
        with stage.app.app_context():
            counted = checks.app_counts(stage.shop_id)
        plain = plain_loop(stage, len(heard))
        report["notified"] = {"customers_to_tell": len(contacts), "told": len(heard),
                              "seconds_from_burst_to_last_first_message": round(all_heard_s, 1),
                              "plain_smtplib_loop_same_count_s": round(plain, 2),
                              "ratio_to_plain_loop": round(all_heard_s / plain, 1) if plain else None}
        report["app"] = counted
        report["store"] = checks.store_counts(stage.shop)
        report["fault"] = fault.figures()
        told_anyway = first_messages(stage, false_alarms, smtp_arrivals)
        report["false_alarms"] = {
            "cases_opened_then_restocked_before_choices": len(false_alarms), "their_customers_told": len(told_anyway),
            "note": "orders not oversold whose case opened on the partial picture mid-burst, then closed"}
        dupes = checks.duplicates(smtp_arrivals, stage.twilio.messages)
        wanted_cases = sale["oversold_orders"]
        must_hear = set(contacts) - fault.silenced(contacts)
        table, failed = checks.exact({
            "cases short once processed (not withdrawn or restocked) = oversold orders": (cases_short, wanted_cases),
            "customers of oversold orders told (but those who opted out first)": (
                len(must_hear & set(heard)), len(must_hear)),
            "same e-mail handed to SMTP twice": (dupes["email_duplicates"], 0),
            "same SMS handed to Twilio twice": (dupes["sms_duplicates"], 0),
            "e-mails at SMTP = e-mails the app recorded sent": (
                len(smtp_arrivals), checks.sent(counted, "email")),
            "SMS at Twilio = SMS the app recorded sent": (len(stage.twilio.messages), checks.sent(counted, "sms")),
            "refunds in the store = refunds chosen": (report["store"]["refunded_orders"], len(chosen["refund"])),
            "orders refunded twice": (report["store"]["orders_refunded_twice"], 0),
            "coupons granted = refund + wait choices": (
                counted["coupons"].get("granted", 0), len(chosen["refund"]) + len(chosen["wait"])),
            "discount codes in the store = coupons granted": (
                report["store"]["discount_codes"], counted["coupons"].get("granted", 0)),
            "webhook events pending or failed": (
                counted["events"].get("pending", 0) + counted["events"].get("failed", 0), 0),
            "jobs failed for good": (stage.failed_jobs(), 0),
            "choices the page refused": (len(chosen["refused"]), 0),
            **fault.exact_checks(smtp_arrivals),
        })
        report["chosen"] = {option: len(ids) for option, ids in chosen.items()}
        report["choices_refused"] = chosen["refused"][:10]
        report["sale"] = {key: sale[key] for key in ("orders", "oversold_orders", "oversold_units", "variants")}
        report["exact"] = table
        report["load_average"] = stack.load_average()
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        print("FAILED: " + "; ".join(failed) if failed else "all exact counts hold", flush=True)
        return 1 if failed else 0
    finally:
        fault.close()
        stage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--units", type=int, default=0,
                        help="stock per variant (default: 90 %% of the orders spread over the variants)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="none")
    parser.add_argument("--sms-rate", type=float, default=20.0)
    parser.add_argument("--webhook-threads", type=int, default=8)
    parser.add_argument("--refund-every", type=int, default=5, help="every n-th told customer asks for a refund")
    parser.add_argument("--wait-every", type=int, default=5, help="and of the others every n-th chooses to wait")
    parser.add_argument("--outage-seconds", type=float, default=60, help="SMTP or Redis outage, emulator faults")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--own-redis", action="store_true", help="a redis-server of the run's own on a free port")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    args.units = args.units or int(args.orders * 0.9 / args.variants)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
