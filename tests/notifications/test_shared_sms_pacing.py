"""The SMS rate is shared by every worker: sends are spaced by the sender's interval, never throttled."""

from __future__ import annotations

import threading
import time

from redis import Redis

from app.channels.base import OutgoingSms
from app.notifications.pacing import SharedPacer
from app.notifications.senders import sms_sender
from app.models import ShopSettings
from tests.support.sms_provider import FakeTwilio


def test_pacers_in_different_workers_share_one_rate(settings):
    rate, per_worker, workers = 20.0, 6, 3
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        connection = Redis.from_url(settings.redis_url)  # each worker has its own connection and pacer
        pacer = SharedPacer(connection, "sms-pace:test:shared", rate)
        for _ in range(per_worker):
            pacer.wait()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    Redis.from_url(settings.redis_url).delete("sms-pace:test:shared")
    stamps.sort()
    assert len(stamps) == per_worker * workers
    # Together they took as long as one sender at the rate would; no half-second held more than its share.
    assert stamps[-1] - stamps[0] >= (len(stamps) - 1) / rate * 0.95
    assert max(sum(1 for t in stamps if start <= t < start + 0.5) for start in stamps) <= rate * 0.5 + 1


def test_twilio_is_never_asked_faster_than_its_rate(app, settings):
    with FakeTwilio(settings.twilio_account_sid, settings.twilio_auth_token, per_second=10) as strict:
        app.config["SETTINGS"] = settings.replace(twilio_base_url=strict.base_url, sms_rate_per_second=10.0)
        with app.app_context():
            sender = sms_sender(ShopSettings(sms_provider="twilio"))
            started = time.monotonic()
            for n in range(15):
                sender.send(OutgoingSms(to="+14155550123", body=f"hello {n}", idempotency_key=f"pace-{n}"))
            elapsed = time.monotonic() - started
    assert strict.throttled == 0 and len(strict.messages) == 15
    assert 1.3 <= elapsed < 3.0  # 15 sends at 10/s: the first at once, then one every 0.1 s
