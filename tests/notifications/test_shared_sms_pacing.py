"""The SMS rate is shared by every worker and holds where the sends arrive, never throttled."""

from __future__ import annotations

import random
import threading
import time

from redis import Redis

from app.channels.base import OutgoingSms
from app.channels.pacing import window_for
from app.notifications.pacing import SharedPacer
from app.notifications.senders import sms_sender
from app.models import ShopSettings
from tests.support.sms_provider import FakeTwilio


def most_in_any_second(stamps: list[float]) -> int:
    return max(sum(1 for t in stamps if start <= t < start + 1) for start in stamps)


def test_pacers_in_different_workers_share_one_rate_counted_where_the_sends_arrive(settings):
    """A send reaches the provider somewhere in its slot, late or early: no second there holds more than the rate."""
    rate, per_worker, workers = 20.0, 14, 3
    arrivals: list[float] = []
    lock = threading.Lock()
    delays = random.Random(7)

    def worker() -> None:
        connection = Redis.from_url(settings.redis_url)  # each worker has its own connection and pacer
        pacer = SharedPacer(connection, "sms-pace:test:shared", rate)
        for _ in range(per_worker):
            with pacer.slot():
                time.sleep(delays.uniform(0, 0.15))  # the request on its way, held up for a while now and then
                with lock:
                    arrivals.append(time.time())
                time.sleep(delays.uniform(0, 0.02))  # and the answer on its way back

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    Redis.from_url(settings.redis_url).delete("sms-pace:test:shared:window", "sms-pace:test:shared:last")
    arrivals.sort()
    assert len(arrivals) == per_worker * workers
    assert most_in_any_second(arrivals) <= rate
    # 42 sends under 20 a second need three windows: the 21st and the 41st each waited for a second to pass.
    assert arrivals[-1] - arrivals[0] >= 2.0


def test_a_window_holds_the_rate_or_one_send_per_interval_for_slow_senders():
    assert window_for(10) == (10, 1.0)
    assert window_for(2.5) == (2, 1.0)
    assert window_for(1) == (1, 1.0)
    assert window_for(0.5) == (1, 2.0)


def test_twilio_is_never_asked_faster_than_its_rate(app, settings):
    with FakeTwilio(settings.twilio_account_sid, settings.twilio_auth_token, per_second=10) as strict:
        app.config["SETTINGS"] = settings.replace(twilio_base_url=strict.base_url, sms_rate_per_second=10.0)
        with app.app_context():
            sender = sms_sender(ShopSettings(sms_provider="twilio"))
            for n in range(15):
                sender.send(OutgoingSms(to="+14155550123", body=f"hello {n}", idempotency_key=f"pace-{n}"))
    arrivals = sorted(message.arrived_at for message in strict.messages)
    assert strict.throttled == 0 and len(arrivals) == 15
    assert most_in_any_second(arrivals) <= 10
    assert arrivals[-1] - arrivals[0] >= 1.0  # the 11th waited a second after the 1st was answered
