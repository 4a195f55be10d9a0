"""At most once: duplicate jobs, a worker killed after the provider accepted, an SMTP server down then back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from app import db, queues
from app.models import Notification
from app.notifications import records, service
from app.notifications.planning import plan_case
from jobs import notify
from tests.notifications.conftest import FROM_NUMBER, add_case, add_shop, scheduled_jobs
from tests.support.env import environment_for
from tests.support.sms_provider import FakeTwilio


def statuses(case_id: int) -> dict[str, Notification]:
    db.session().expire_all()
    found = db.session().scalars(select(Notification).where(Notification.case_id == case_id))
    return {row.channel: row for row in found}


def release_due(within_seconds: float) -> int:
    """Hand RQ's retries that fall due within the next seconds to the queue, as the scheduler will."""
    queue = queues.queue("notifications")
    registry = queue.scheduled_job_registry
    due = registry.get_jobs_to_schedule(int(time.time() + within_seconds))
    for job_id in due:
        job = queue.fetch_job(job_id)
        registry.remove(job)
        queue.enqueue_job(job)
    return len(due)


def test_the_job_run_twice_sends_each_message_once(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id, job_id="first")
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id, job_id="second")
    assert run_jobs() == 2
    service.case_opened(shop.id, case.id, db.utcnow())
    assert len(smtp.messages) == 1 and len(twilio.messages) == 1
    assert db.session().scalar(select(Notification.id).where(Notification.attempts > 1)) is None


def test_a_claimed_row_cannot_be_claimed_again(app_context, smtp, twilio):
    shop = add_shop()
    case = add_case(shop)
    rows = plan_case(shop, case, "restock", db.utcnow())
    now = db.utcnow()
    first = records.claim(db.session(), rows, now)
    second = records.claim(db.session(), rows, now)
    assert [row.id for row in first] == [row.id for row in rows] and second == []
    assert smtp.messages == [] and twilio.messages == []


class TwilioThatOutlivesItsCaller(FakeTwilio):
    """Accepts the message, then kills the worker that sent it before the answer reaches it."""

    victim: int | None = None

    def _create(self, form):
        response = super()._create(form)
        if self.victim:
            os.kill(self.victim, signal.SIGKILL)
        return response


def test_a_worker_killed_after_the_provider_accepted_does_not_send_again(app, settings, smtp, twilio, run_jobs):
    with app.app_context():
        shop = add_shop()
        case = add_case(shop)
        queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    with TwilioThatOutlivesItsCaller(twilio.account_sid, twilio.auth_token) as doomed:
        env = environment_for(
            settings, EMAIL_BACKEND="smtp", SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port),
            EMAIL_FROM_ADDRESS=settings.email_from_address, SMS_PROVIDER="twilio",
            TWILIO_ACCOUNT_SID=twilio.account_sid, TWILIO_AUTH_TOKEN=twilio.auth_token,
            TWILIO_FROM_NUMBER=FROM_NUMBER, TWILIO_BASE_URL=doomed.base_url, SMS_RATE_PER_SECOND="50",
        )
        command = ["-m", "app", "worker", "--burst", "--simple", "--no-scheduler", "--queues", "notifications"]
        worker = subprocess.Popen([sys.executable, *command], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        doomed.victim = worker.pid
        assert worker.wait(timeout=60) == -signal.SIGKILL
        assert len(doomed.messages) == 1
    with app.app_context():
        assert statuses(case.id)["sms"].status == "sending"
        # The retry path: the job runs again, finds the e-mail sent and the SMS claimed, and sends nothing.
        queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
        assert run_jobs() == 1
        rows = statuses(case.id)
        assert rows["email"].status == "sent" and rows["sms"].status == "sending"
        assert len(smtp.messages) == 1 and twilio.messages == []
        assert notify.sweep_unconfirmed(older_than_minutes=0) == 1
        assert statuses(case.id)["sms"].status == "unconfirmed"


def test_smtp_down_then_back_delivers_the_email_once(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop)
    smtp.stop()
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id, job_id="opened")
    run_jobs()
    rows = statuses(case.id)
    assert rows["email"].status == "queued" and "cannot reach SMTP server" in rows["email"].error
    assert rows["sms"].status == "sent"
    assert "opened" in scheduled_jobs()  # RQ's retry, with backoff

    smtp.start()
    assert release_due(within_seconds=60) == 1
    run_jobs()
    rows = statuses(case.id)
    assert rows["email"].status == "sent" and rows["email"].attempts == 2 and rows["email"].error is None
    assert len(smtp.messages) == 1 and len(twilio.messages) == 1


def test_a_message_failing_on_every_attempt_ends_failed_with_the_reason(app_context, smtp, twilio):
    shop = add_shop(sms_enabled=False)
    case = add_case(shop)
    smtp.stop()
    now = db.utcnow()
    for attempt in range(records.MAX_ATTEMPTS):
        outcome = service.case_opened(shop.id, case.id, now)
        assert bool(outcome.transient) == (attempt < records.MAX_ATTEMPTS - 1)
    email = statuses(case.id)["email"]
    assert email.status == "failed" and email.error.startswith(f"gave up after {records.MAX_ATTEMPTS} attempts")
