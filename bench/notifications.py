"""Notification benchmarks: stockout e-mail latency, a 10,000 sign-up blast against a plain smtplib loop, SMS pacing.

Run: `.venv/bin/python bench/notifications.py [--sign-ups 10000] [--workers 4] [--sms-rate 10]`
(needs PostgreSQL and Redis as the tests do; everything else runs locally in this process). The latency here
starts when `case_opened` is enqueued; from the oversold order's webhook it is bench/notifications_latency.py.
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import time

from redis import Redis
from sqlalchemy import func, select

from notifications_stack import (
    FROM_NUMBER, SmtpProcess, bench_settings, cpu_seconds, fresh_database, peak_rss_mb, seed_cases, seed_shop,
    seed_sign_ups, workers,
)
from app import create_app, db, queues
from app.channels.base import OutgoingEmail
from app.channels.email_smtp import build_message
from app.domain import messages
from app.models import Notification
from app.notifications import links
from tests.support.sms_provider import FakeTwilio, sign


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def stockout_latency(app, smtp: SmtpProcess, count: int, per_second: float, warm_up: int) -> dict:
    """From enqueueing `case_opened` to the stockout e-mail accepted by the SMTP server (warm workers)."""
    with app.app_context():
        shop = seed_shop(db.session(), domain="latency.myshopify.com", sms=False)
        case_ids = seed_cases(db.session(), shop, warm_up + count)
    enqueued = {}
    with app.app_context():
        for n, case_id in enumerate(case_ids):
            if n == warm_up:
                wait_for(lambda: smtp.received >= warm_up, 60)
                smtp.reset()
            enqueued[f"buyer{n}@example.com"] = time.time()
            queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case_id)
            time.sleep(1 / per_second)
    wait_for(lambda: smtp.received >= count, 120)
    latencies = [arrived - enqueued[to] for arrived, to in smtp.arrivals() if to in enqueued]
    return {"messages": len(latencies), "p50_s": round(percentile(latencies, 0.5), 3),
            "p99_s": round(percentile(latencies, 0.99), 3), "max_s": round(max(latencies), 3)}


def plain_smtplib_rate(app, smtp: SmtpProcess, count: int) -> dict:
    """The same back-in-stock e-mail to `count` recipients in a plain loop over one smtplib connection."""
    with app.app_context():
        facts = messages.MessageFacts(
            shop=messages.Shop(name="Bench Teapots", contact_email="hello@bench.example"),
            items=(messages.Item(title="Stoneware Teapot"),), product_link="https://bench.example/p/teapot",
            unsubscribe_link=links.unsubscribe_link("TOKEN"),
        )
        composed = messages.compose("back_in_stock", "en", facts)
        token = links.unsubscribe_token(1, "email", "someone@example.com", "en")
    smtp.reset()
    started, client_cpu, server_cpu = time.time(), time.process_time(), cpu_seconds(smtp.pid)
    connection = smtplib.SMTP(smtp.host, smtp.port)
    for n in range(count):
        to = f"plain{n}@example.com"
        url = f"http://127.0.0.1:5000/unsubscribe/{token}"
        email = OutgoingEmail(
            to=to, to_name=None, subject=composed.subject, text=composed.text.replace("TOKEN", token),
            html=composed.html.replace("TOKEN", token), from_name="Bench Teapots",
            from_address="notices@concierge.example", reply_to="hello@bench.example", list_unsubscribe_url=url,
            idempotency_key=f"plain-{n}", marketing=True,
        )
        wire = build_message(email)
        connection.sendmail(wire.sender, [wire.recipient], wire.data)
    connection.quit()
    client_cpu = time.process_time() - client_cpu
    wait_for(lambda: smtp.received >= count, 60)
    return {"rate_per_s": count / (smtp.arrivals()[-1][0] - started),
            "client_cpu_ms_per_message": round(client_cpu * 1000 / count, 2),
            "smtp_server_cpu_ms_per_message": round((cpu_seconds(smtp.pid) - server_cpu) * 1000 / count, 2)}


def blast(app, smtp: SmtpProcess, count: int, worker_pids: list[int], stop_count: int = 20) -> dict:
    """The back-in-stock blast through the workers, with opt-outs arriving mid-blast."""
    variant = "gid://shopify/ProductVariant/77"
    with app.app_context():
        shop = seed_shop(db.session(), domain="blast.myshopify.com", sms=False)
        ids = seed_sign_ups(db.session(), shop, variant, count, phones=False)
    smtp.reset()
    started = time.time()
    cpu_before = sum(cpu_seconds(pid) for pid in worker_pids), cpu_seconds(smtp.pid)
    with app.app_context():
        queues.enqueue("notifications", "jobs.notify.back_in_stock", shop.id, ids, 1, "https://bench.example/p/teapot",
                       timeout=600)
    wait_for(lambda: smtp.received >= count * 0.3, 120, 0.01)
    stopped = {f"fan77-{n}@example.com" for n in range(count - stop_count, count)}
    client = app.test_client()
    with app.app_context():
        for address in stopped:
            client.post(f"/unsubscribe/{links.unsubscribe_token(shop.id, 'email', address, 'en')}")
    stopped_at = time.time()
    with app.app_context():
        def finished() -> bool:
            db.session().expire_all()
            return not db.session().scalar(select(func.count()).select_from(Notification).where(
                Notification.shop_id == shop.id, Notification.status.in_(("queued", "sending"))))
        wait_for(finished, 300, 0.2)
        suppressed = db.session().scalar(select(func.count()).select_from(Notification).where(
            Notification.shop_id == shop.id, Notification.status == "suppressed"))
    arrivals = smtp.arrivals()
    elapsed = arrivals[-1][0] - started
    workers_cpu = sum(cpu_seconds(pid) for pid in worker_pids) - cpu_before[0]
    server_cpu = cpu_seconds(smtp.pid) - cpu_before[1]
    return {"sent": len(arrivals), "elapsed_s": round(elapsed, 2), "rate_per_s": round(len(arrivals) / elapsed),
            "opted_out_mid_blast": len(stopped), "stopped_after_s": round(stopped_at - started, 2),
            "suppressed": suppressed,
            "mailed_after_opting_out": sum(1 for at, to in arrivals if to in stopped and at > stopped_at),
            "workers_cpu_ms_per_message": round(workers_cpu * 1000 / len(arrivals), 2),
            "smtp_server_cpu_ms_per_message": round(server_cpu * 1000 / len(arrivals), 2)}


def sms_pacing(app, twilio: FakeTwilio, rate: float, per_variant: int, variants: int) -> dict:
    """Several chunk jobs on several workers at once, all under one sender's rate; a STOP arrives mid-way."""
    with app.app_context():
        shop = seed_shop(db.session(), domain="sms.myshopify.com", sms=True)
        batches = [seed_sign_ups(db.session(), shop, f"gid://shopify/ProductVariant/9{v}", per_variant, phones=True)
                   for v in range(variants)]
        for v, ids in enumerate(batches):
            queues.enqueue("notifications", "jobs.notify.back_in_stock", shop.id, ids, 1)
    wait_for(lambda: len(twilio.messages) >= per_variant * variants // 3, 120)
    late = f"+1415555{per_variant - 1:04d}"
    params = {"MessageSid": "SMstop", "From": late, "To": FROM_NUMBER, "Body": "退订", "AccountSid": twilio.account_sid}
    url = "http://127.0.0.1:5000/sms/inbound"
    signature = sign(url, params, twilio.auth_token)
    app.test_client().post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature})
    stopped_at = time.monotonic()
    expected = per_variant * variants
    wait_for(lambda: len(twilio.messages) >= expected - variants, 600, 0.2)
    time.sleep(2)
    times = sorted(message.arrived_at for message in twilio.messages)
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    achieved = (len(times) - 1) / (times[-1] - times[0])
    return {"sent": len(times), "rate_limit_per_s": rate, "achieved_per_s": round(achieved, 2),
            "share_of_limit": round(achieved / rate, 3), "most_in_any_second": busiest,
            "throttled_429": twilio.throttled,
            "sms_after_stop": sum(1 for m in twilio.messages if m.to == late and m.arrived_at > stopped_at)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sign-ups", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--case-rate", type=float, default=5.0, help="cases opened per second")
    parser.add_argument("--sms-rate", type=float, default=10.0)
    parser.add_argument("--parts", default="latency,blast,sms", help="which benchmarks to run")
    args = parser.parse_args()
    database_url = fresh_database()
    with SmtpProcess() as smtp, FakeTwilio(per_second=args.sms_rate) as twilio:
        settings = bench_settings(database_url, smtp, twilio, args.sms_rate)
        app = create_app(settings)
        with workers(settings, args.workers) as processes:
            time.sleep(2)
            results = {}
            if "latency" in args.parts:
                results["latency_from_case_opened"] = stockout_latency(app, smtp, args.cases, args.case_rate,
                                                                       warm_up=2 * args.workers)
            if "blast" in args.parts:
                # The plain loop runs before and after the blast: the machine's load changes while we measure.
                before = plain_smtplib_rate(app, smtp, args.sign_ups)
                ours = blast(app, smtp, args.sign_ups, [p.pid for p in processes])
                after = plain_smtplib_rate(app, smtp, args.sign_ups)
                plain = {key: round((before[key] + after[key]) / 2, 2) for key in before}
                results["plain_smtplib_loop"] = {**plain, "rates_before_and_after": [
                    round(before["rate_per_s"]), round(after["rate_per_s"])]}
                results["blast"] = {**ours, "ratio_to_plain": round(ours["rate_per_s"] / plain["rate_per_s"], 2),
                                    "peak_rss_mb_per_worker": [round(peak_rss_mb(p.pid), 1) for p in processes]}
            if "sms" in args.parts:
                results["sms"] = sms_pacing(app, twilio, args.sms_rate, per_variant=40, variants=3)
            results["load_average"] = [round(load, 1) for load in os.getloadavg()]
    Redis.from_url(settings.redis_url).flushdb()  # leave nothing queued for the tests sharing this Redis db
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
