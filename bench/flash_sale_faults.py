"""Faults during the flash sale, one per scenario: each acts at fixed points of the run and adds its own checks.

Points: `before_burst`, `halfway` (when half the orders' events are processed), `tick` (every half second while
the intake runs), `after_intake`, `after_choices`; `figures()` and `exact_checks()` go into the summary.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from sqlalchemy import func, select, update

from bench import stack
from app import db
from app.models import Notification, Shop, ShopSettings, StockoutCase
from app.notifications import links
from tests.support.sms_provider import sign


class NoFault:
    """The plain flash sale."""

    def __init__(self, stage, args):
        self.stage, self.args = stage, args
        self.found: dict = {}

    def before_burst(self) -> None: ...

    def halfway(self) -> None: ...

    def tick(self) -> None: ...

    def after_intake(self) -> None: ...

    def after_choices(self) -> None: ...

    def silenced(self, contacts: dict) -> set[int]:
        """Cases whose customer must not hear from us (they opted out first)."""
        return set()

    def figures(self) -> dict:
        return self.found

    def exact_checks(self, smtp_arrivals) -> dict:
        return {}

    def close(self) -> None: ...


class WorkerKill(NoFault):
    """A worker SIGKILLed while it runs a job; a replacement starts (as a supervisor would). The job must run again
    within 2 minutes (RQ notices the dead worker's lapsed heartbeat) and no side effect may happen twice."""

    def halfway(self) -> None:
        stack.wait_until(lambda: any(w.get_current_job_id() for w in self._alive()), 60, "no worker busy")
        victim = next(w for w in self._alive() if w.get_current_job_id())
        job_id = victim.get_current_job_id()
        job = victim.get_current_job()
        process = self.stage.workers.pop(victim.name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.killed_at = time.time()
        self.found.update(killed=victim.name, job_id=job_id, job=job.func_name if job else None)
        self.stage.start_worker(f"{victim.name}-replacement")
        self.job_id = job_id
        threading.Thread(target=self._watch, daemon=True).start()

    def _alive(self):
        return [w for w in self.stage.rq_workers() if w.name in self.stage.workers]

    def _watch(self) -> None:
        from rq.job import Job
        from rq.exceptions import NoSuchJobError
        from rq.serializers import JSONSerializer

        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                job = Job.fetch(self.job_id, connection=self.stage.redis, serializer=JSONSerializer)
                status = job.get_status(refresh=True)
                restarted = job.started_at and job.started_at.timestamp() > self.killed_at
            except NoSuchJobError:
                status, restarted = "gone (finished, result not kept)", True
            if restarted and status in ("finished", "gone (finished, result not kept)", "started", "queued"):
                self.found.update(rerun_after_s=round(time.time() - self.killed_at, 1), status_then=status)
                return
            time.sleep(0.5)

    def exact_checks(self, smtp_arrivals) -> dict:
        rerun = self.found.get("rerun_after_s")
        return {"killed job ran again within 120 s": (int(rerun is not None and rerun <= 120), 1)}


class RedisRestart(NoFault):
    """Our own redis-server SIGKILLed halfway and started again 10 s later while 10 more orders come in: intake
    keeps answering (it records to PostgreSQL first), nothing accepted is lost (every event processed in the
    end), processing resumes within 10 s of Redis's return. Workers wait for Redis and resume (jobs/worker.py); one
    that exits all the same is started again, and `workers_ended` names it."""

    def halfway(self) -> None:
        from bench import flash_sale_checks as checks

        server = self.stage.own_redis
        dispatcher = self.stage.store.emulator.dispatcher
        before = {d.id: len(d.attempts) for d in dispatcher.deliveries()}
        shop = self.stage.shop
        plenty = next(v for v in shop.variants.values() if shop.variant_available(v) >= 50)
        server.kill()
        down_at = time.time()
        # Shoppers keep buying while Redis is away (a well-stocked variant: no new case), so webhooks keep coming.
        for _ in range(10):
            self.stage.store.control("POST", self.stage.store.shop_path("/orders"),
                                     lines=[{"variant_id": plenty.id, "quantity": 1}], email="calm@example.com")
            time.sleep(min(self.args.outage_seconds, 10) / 10)
        dispatcher.wait_idle(5)
        server.start()
        up_at = time.time()
        attempts = [a for d in dispatcher.deliveries() for a in d.attempts[before.get(d.id, 0):]]
        answered = sum(1 for a in attempts if a["status"] and a["status"] < 500)
        processed = checks.processed_events(self.stage)

        def resumed() -> bool:
            # A worker should outlive the outage; one that did not is started again, as a supervisor would.
            self.found.setdefault("workers_ended", []).extend(self.stage.supervise())
            return checks.processed_events(self.stage) > processed

        stack.wait_until(resumed, 120, "processing did not resume after Redis came back", step=0.2)
        self.found.update(redis_down_s=round(up_at - down_at, 1), deliveries_during_outage=len(attempts),
                          answered_below_500_during_outage=answered,
                          processing_resumed_after_s=round(time.time() - up_at, 1))

    def exact_checks(self, smtp_arrivals) -> dict:
        resumed = self.found.get("processing_resumed_after_s", 999)
        return {"processing resumed within 10 s of Redis": (int(resumed <= 10), 1),
                "deliveries answered 5xx or not at all while Redis was down": (
                    self.found.get("deliveries_during_outage", 0) - self.found.get(
                        "answered_below_500_during_outage", 0), 0)}


class SmtpDown(NoFault):
    """The SMTP server down for `--outage-seconds` from the first stockout e-mail on: every message goes once
    when it returns."""

    def tick(self) -> None:
        if "down_at" not in self.found and self.stage.smtp.received > 0:
            self.stage.smtp.down()
            self.found["down_at"] = time.time()
            self.found["received_before"] = self.stage.smtp.received
            threading.Timer(self.args.outage_seconds, self._up).start()

    def _up(self) -> None:
        self.stage.smtp.up()
        self.found["up_at"] = time.time()

    def after_intake(self) -> None:
        stack.wait_until(lambda: "up_at" in self.found, self.args.outage_seconds + 30, "SMTP never came back")

    def exact_checks(self, smtp_arrivals) -> dict:
        return {"SMTP outages while messages were going out": (int("up_at" in self.found), 1)}

    def figures(self) -> dict:
        found = dict(self.found)
        if "up_at" in found:
            found["down_s"] = round(found.pop("up_at") - found.pop("down_at"), 1)
        return found


class Throttle(NoFault):
    """The emulator answers THROTTLED for half of `--outage-seconds`, then 503 for the other half, from halfway on:
    no job may fail for good, and once the faults end at most 1 % of calls may be throttled (the client paces)."""

    def halfway(self) -> None:
        shop = self.stage.store.shop_path("/faults")
        half = self.args.outage_seconds / 2
        self.stage.store.control("POST", shop, kind="throttled", seconds=half)
        self.stage.store.control("POST", shop, kind="http_503", seconds=2 * half)
        self.ends_at = time.time() + 2 * half
        threading.Timer(2 * half, self._snapshot).start()

    def _snapshot(self) -> None:
        self.after_faults = dict(self.stage.shop.counters)

    def figures(self) -> dict:
        counters = dict(self.stage.shop.counters)
        start = getattr(self, "after_faults", None) or {}
        calls = counters.get("requests", 0) - start.get("requests", 0)
        throttled = counters.get("throttled", 0) - start.get("throttled", 0)
        self.found.update(injected={k: v for k, v in counters.items() if k.startswith("fault_")},
                          calls_after_faults=calls, throttled_after_faults=throttled,
                          throttled_share_after_faults=round(throttled / calls, 4) if calls else None,
                          calls_total=counters.get("requests", 0), throttled_total=counters.get("throttled", 0))
        return self.found

    def exact_checks(self, smtp_arrivals) -> dict:
        figures = self.figures()
        share = figures["throttled_share_after_faults"] or 0
        return {"throttled share after the faults <= 1 %": (int(share <= 0.01), 1)}


class OptOut(NoFault):
    """Mid-blast, 20 customers not yet told unsubscribe by e-mail link and 5 SMS customers text STOP; and the
    shop's quiet hours begin (the current local hour becomes quiet), so later SMS wait for morning. Nobody who
    opted out may receive anything after opting out; SMS handed over after quiet hours began are reported."""

    def tick(self) -> None:
        if "opted_out_at" in self.found or self.stage.smtp.received < 20:
            return
        stage = self.stage
        told = {to for _at, to, _id in stage.smtp.arrivals()} | {m.to for m in stage.twilio.messages}
        with stage.app.app_context():
            rows = db.session().execute(select(StockoutCase.email, StockoutCase.phone, StockoutCase.customer_locale)
                                        .where(StockoutCase.shop_id == stage.shop_id)).all()
            db.session().rollback()
        untold = [(e, p, loc) for e, p, loc in rows if e not in told and (not p or p not in told)]
        emails = [(e, loc) for e, p, loc in untold if not p][:20]
        phones = [p for _e, p, _loc in untold if p][:5]
        import httpx

        base = f"http://127.0.0.1:{stage.port}"
        with stage.app.app_context():
            tokens = [links.unsubscribe_token(stage.shop_id, "email", e, loc or "en") for e, loc in emails]
        for token in tokens:
            assert httpx.post(f"{base}/unsubscribe/{token}", trust_env=False, timeout=30).status_code < 400
        for phone in phones:
            params = {"MessageSid": f"SMstop{phone[-4:]}", "From": phone, "To": stage.settings.twilio_from_number,
                      "Body": "STOP", "AccountSid": stage.twilio.account_sid}
            url = f"{stage.settings.app_url}/sms/inbound"
            answer = httpx.post(f"{base}/sms/inbound", data=params, trust_env=False, timeout=30,
                                headers={"X-Twilio-Signature": sign(url, params, stage.twilio.auth_token)})
            assert answer.status_code < 400, answer.text
        self.opted_out = {e for e, _loc in emails} | set(phones)
        self.stopped_monotonic = time.monotonic()
        self.found.update(opted_out_at=time.time(), opted_out_emails=len(emails), opted_out_phones=len(phones))
        self._quiet_hours_begin()

    def _quiet_hours_begin(self) -> None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        stage = self.stage
        with stage.app.app_context():
            session = db.session()
            zone = session.scalar(select(Shop.timezone).where(Shop.id == stage.shop_id)) or "UTC"
            hour = datetime.now(ZoneInfo(zone)).hour
            session.execute(update(ShopSettings).where(ShopSettings.shop_id == stage.shop_id).values(
                quiet_hours_start=hour, quiet_hours_end=(hour + 2) % 24))
            session.commit()
        self.found["quiet_hours_from"] = f"{hour}:00 {zone}"
        self.quiet_monotonic = time.monotonic()

    def silenced(self, contacts: dict) -> set[int]:
        """Cases whose customer opted out of e-mail (their only channel) before anything reached them."""
        at = self.found.get("opted_out_at", float("inf"))
        reached = {to for t, to, _id in self.stage.smtp.arrivals() if t <= at}
        gone = getattr(self, "opted_out", set())
        return {case_id for case_id, (email, _phone) in contacts.items() if email in gone and email not in reached}

    def figures(self) -> dict:
        quiet = getattr(self, "quiet_monotonic", float("inf"))
        with self.stage.app.app_context():
            held = db.session().scalar(select(func.count()).select_from(Notification).where(
                Notification.shop_id == self.stage.shop_id, Notification.channel == "sms",
                Notification.status == "scheduled"))
            db.session().rollback()
        self.found.update(sms_held_for_morning=held,
                          sms_handed_over_after_quiet_hours_began=sum(
                              1 for m in self.stage.twilio.messages if m.arrived_at > quiet))
        return self.found

    def exact_checks(self, smtp_arrivals) -> dict:
        at = self.found.get("opted_out_at", float("inf"))
        stopped_at = getattr(self, "stopped_monotonic", float("inf"))
        gone = getattr(self, "opted_out", set())
        return {"opt-outs made while messages were going out": (int(bool(gone)), 1),
                "messages to opted-out customers after opting out": (
                    sum(1 for t, to, _id in smtp_arrivals if to in gone and t > at)
                    + sum(1 for m in self.stage.twilio.messages if m.to in gone and m.arrived_at > stopped_at), 0)}


SCENARIOS = {"none": NoFault, "worker-kill": WorkerKill, "redis-restart": RedisRestart, "smtp-down": SmtpDown,
             "throttle": Throttle, "opt-out": OptOut}
