"""The pacer, on a fake clock: exact spacing, bursts, and no waiting after a quiet spell."""

import pytest

from app.channels.pacing import Pacer


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def send_times(pacer, clock, count):
    times = []
    for _ in range(count):
        pacer.wait()
        times.append(round(clock.now - 100.0, 6))
    return times


@pytest.mark.parametrize(
    ("rate", "burst", "expected"),
    [
        (1, 1, [0, 1, 2, 3]),
        (5, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (3, 1, [0, 0.333333, 0.666667, 1.0]),
        (100, 1, [0, 0.01, 0.02]),
        (2, 3, [0, 0, 0, 0.5, 1.0, 1.5]),
    ],
)
def test_sends_are_spaced_at_the_rate(rate, burst, expected):
    clock = FakeClock()
    pacer = Pacer(rate, burst=burst, clock=clock, sleep=clock.sleep)
    assert send_times(pacer, clock, len(expected)) == expected


def test_after_a_quiet_spell_there_is_no_wait_and_no_saved_up_burst():
    clock = FakeClock()
    pacer = Pacer(5, clock=clock, sleep=clock.sleep)
    send_times(pacer, clock, 3)
    clock.now += 60
    assert pacer.wait() == 0
    assert pacer.wait() == pytest.approx(0.2)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_nonsense_rates_are_refused(rate, burst):
    with pytest.raises(ValueError):
        Pacer(rate, burst=burst)


def test_a_slot_counts_each_send_from_its_answer_so_no_second_at_the_provider_holds_more_than_the_rate():
    clock = FakeClock()
    pacer = Pacer(2, clock=clock, sleep=clock.sleep)
    arrivals = []
    for _ in range(5):
        with pacer.slot():
            clock.now += 0.3  # the request on its way: it arrives, and is answered, 0.3 s after it left
            arrivals.append(round(clock.now - 100.0, 6))
    assert arrivals == [0.3, 0.8, 1.6, 2.1, 2.9]
    assert max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals) == 2
