"""The pure decisions: consent, the daily cap, quiet hours, channels, keys and whether a message is still wanted."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from app.notifications import policy
from app.notifications.relevance import CaseState, default_sequence, moot_reason, waiting

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("kind, expected", [
    ("stockout_notice", "transactional"),
    ("backorder_update", "transactional"),
    ("shipped", "transactional"),
    ("satisfaction_followup", "courtesy"),
    ("back_in_stock", "marketing"),
])
def test_categories(kind, expected):
    assert policy.category(kind) == expected


@pytest.mark.parametrize("kind, opted_out, state, status", [
    ("stockout_notice", False, None, "queued"),          # transactional needs no marketing consent
    ("stockout_notice", True, None, "suppressed"),       # ...but never goes to an opted-out address
    ("back_in_stock", False, "SUBSCRIBED", "queued"),
    ("back_in_stock", False, None, "suppressed"),
    ("back_in_stock", False, "NOT_SUBSCRIBED", "suppressed"),
    ("back_in_stock", False, "PENDING", "suppressed"),
    ("back_in_stock", True, "SUBSCRIBED", "suppressed"),
])
def test_consent(kind, opted_out, state, status):
    verdict = policy.consent(kind, opted_out=opted_out, marketing_state=state)
    assert verdict.status == status
    assert (verdict.reason is None) == (status == "queued")


@pytest.mark.parametrize("kind, sent, per_day, status", [
    ("stockout_notice", 9, 4, "queued"),        # the notice is the point: never dropped
    ("backorder_update", 4, 4, "queued"),
    ("back_in_stock", 3, 4, "queued"),
    ("back_in_stock", 4, 4, "skipped"),
    ("satisfaction_followup", 4, 4, "skipped"),
    ("back_in_stock", 40, 0, "queued"),         # 0 turns the cap off
])
def test_cap(kind, sent, per_day, status):
    assert policy.cap(kind, sent_last_day=sent, per_day=per_day).status == status


def test_gate_checks_consent_before_the_cap():
    verdict = policy.gate("back_in_stock", opted_out=True, marketing_state="SUBSCRIBED", sent_last_day=9, per_day=4)
    assert verdict.status == "suppressed"


@pytest.mark.parametrize("local, expected_local", [
    (datetime(2026, 11, 24, 22, 0), datetime(2026, 11, 25, 8, 0)),    # evening: next morning
    (datetime(2026, 11, 24, 21, 0), datetime(2026, 11, 25, 8, 0)),    # the first quiet minute
    (datetime(2026, 11, 25, 2, 30), datetime(2026, 11, 25, 8, 0)),    # after midnight: this morning
    (datetime(2026, 11, 25, 7, 59), datetime(2026, 11, 25, 8, 0)),
    (datetime(2026, 11, 25, 8, 0), None),                              # morning: send now
    (datetime(2026, 11, 25, 20, 59), None),
])
def test_quiet_hours_in_the_shops_time_zone(local, expected_local):
    now = local.replace(tzinfo=SHANGHAI).astimezone(UTC)
    until = policy.quiet_until(now, "Asia/Shanghai", 21, 8)
    assert until == (expected_local.replace(tzinfo=SHANGHAI).astimezone(UTC) if expected_local else None)


def test_quiet_hours_across_a_daylight_saving_change():
    # 22:00 in New York the evening before clocks go back: 08:00 next morning is EST, UTC-5.
    now = datetime(2026, 10, 31, 22, 0, tzinfo=ZoneInfo("America/New_York"))
    assert policy.quiet_until(now, "America/New_York", 21, 8) == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("start, end, hour, quiet", [
    (21, 8, 23, True), (21, 8, 12, False), (0, 7, 3, True), (0, 7, 7, False), (0, 0, 3, False),
])
def test_quiet_hour_windows(start, end, hour, quiet):
    assert policy.in_quiet_hours(hour, start, end) is quiet


def test_only_sms_waits_for_morning():
    night = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    assert policy.hold_for_quiet_hours("email", night, "Asia/Shanghai", 21, 8) is None
    assert policy.hold_for_quiet_hours("sms", night, "Asia/Shanghai", 21, 8) is not None


def test_channels_follow_the_shops_settings():
    both = dict(email=" a@b.example ", phone="+14155550123")
    assert policy.channels_for(**both, email_enabled=True, sms_enabled=True) == [
        ("email", "a@b.example"), ("sms", "+14155550123")]
    assert policy.channels_for(**both, email_enabled=True, sms_enabled=False) == [("email", "a@b.example")]
    assert policy.channels_for(email=None, phone="", email_enabled=True, sms_enabled=True) == []


@pytest.mark.parametrize("app_provider, shop_provider, expected", [
    ("outbox", "twilio", "outbox"),     # development never sends for real
    ("twilio", "twilio", "twilio"),
    ("twilio", "aliyun", "twilio"),     # a provider this app does not offer falls back to the app's
    ("twilio", None, "twilio"),
])
def test_sms_backend(app_provider, shop_provider, expected):
    assert policy.sms_backend(app_provider, shop_provider, frozenset({"twilio", "outbox"})) == expected


def test_idempotency_keys():
    assert policy.idempotency_key(3, "stockout_notice", "sms", case_id=7) == "s3:case7:stockout_notice:sms"
    assert policy.idempotency_key(3, "backorder_update", "email", case_id=7, sequence="u2") == (
        "s3:case7:backorder_update:email:u2")
    assert policy.idempotency_key(3, "back_in_stock", "email", subscription_id=9, sequence=1) == (
        "s3:sub9:back_in_stock:email:1")
    with pytest.raises(ValueError):
        policy.idempotency_key(3, "restock", "email", case_id=7, subscription_id=9)


OPEN = CaseState(status="open")
CHOSE_REFUND = CaseState(status="resolving", choice="refund")
WAITING = CaseState(status="waiting", choice="wait")
CLOSED = CaseState(status="closed", closed_at=datetime(2026, 11, 20, tzinfo=UTC))
ANSWERED = CaseState(status="closed", closed_at=datetime(2026, 11, 20, tzinfo=UTC), satisfaction_score=5)


@pytest.mark.parametrize("kind, state, installed, moot", [
    ("stockout_notice", OPEN, True, False),
    ("stockout_notice", WAITING, True, True),         # the customer already chose
    ("stockout_notice", OPEN, False, True),           # uninstalled
    ("backorder_update", WAITING, True, False),
    ("backorder_update", CHOSE_REFUND, True, True),
    ("backorder_update", CLOSED, True, True),
    ("restock", WAITING, True, False),
    ("restock", CHOSE_REFUND, True, True),
    ("shipped", CLOSED, True, False),
    ("satisfaction_followup", WAITING, True, True),   # not closed yet
    ("satisfaction_followup", CLOSED, True, False),
    ("satisfaction_followup", ANSWERED, True, True),
    ("choice_confirmed", OPEN, True, True),           # nothing chosen yet
    ("choice_confirmed", WAITING, True, False),
])
def test_moot_messages(kind, state, installed, moot):
    assert (moot_reason(kind, state, shop_installed=installed) is not None) is moot


def test_waiting():
    assert waiting(OPEN) and waiting(WAITING)
    assert not waiting(CHOSE_REFUND) and not waiting(CLOSED)
    assert not waiting(CaseState(status="open", resolved_at=datetime(2026, 11, 1, tzinfo=UTC)))



def test_confirmations_are_told_apart_by_the_choice():
    assert default_sequence("choice_confirmed", WAITING) == "wait"
    assert default_sequence("compensation_coupon", CHOSE_REFUND) == "refund"
    assert default_sequence("restock", WAITING) is None
