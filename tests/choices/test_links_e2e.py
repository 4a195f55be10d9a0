"""Links through the emulator: a tampered or expired link reaches nothing, a replayed one repeats nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app import db
from app.choices import links
from app.models import CaseEvent, Notification, SideEffect, StockoutCase
from jobs import choices as choice_jobs


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 31 * 86400


def _form(page: str) -> dict:
    return {"form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
            "expected": re.search(r'name="expected" value="([^"]*)"', page).group(1)}


def _untouched(store, emulator, case) -> None:
    """Nothing reached Shopify for the order: no refund, edit, tag or discount; the case still undecided."""
    order = store.order_state(case.order_gid)
    assert order["refunds"] == [] and order["tags"] == []
    assert [line["currentQuantity"] for line in order["lineItems"]["nodes"]] == [1]
    assert not emulator.shop_state().order_edits and not emulator.shop_state().discounts
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).choice is None
    assert db.session().scalar(select(func.count()).select_from(SideEffect)) == 0


def test_tampered_and_expired_links_carry_nothing_out(store, store_app, work, emulator):
    variant = store.products()[0]["variants"]["nodes"][0]["id"]
    case = store.open_case(variant)
    client = store_app.test_client()
    token = links.choice_token(case.shop_id, case.id)
    form = _form(client.get(f"/c/{token}").get_data(as_text=True))
    expired = URLSafeTimedSerializer(store_app.config["SECRET_KEY"], salt=links.CHOICE_SALT,
                                     signer=_LongAgo).dumps({"s": case.shop_id, "c": case.id})
    refused = {
        token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"): 400,
        links.choice_token(case.shop_id, case.id, secret_key="not-our-secret"): 400,
        links.choice_token(case.shop_id + 1, case.id): 410,
        expired: 410,
    }
    for bad, status in refused.items():
        for option in ("refund", "wait", "substitute:gid://shopify/ProductVariant/1"):
            assert client.post(f"/c/{bad}/choose", data={**form, "offer": option}).status_code == status
        assert client.post(f"/c/{bad}/agree", data=form).status_code == status
        assert client.get(f"/c/{bad}/cancel").status_code == status
    assert work() == 0
    _untouched(store, emulator, case)


def test_a_replayed_link_after_a_refund_refunds_nothing_more(store, store_app, work, emulator):
    variant = store.products()[0]["variants"]["nodes"][0]["id"]
    case = store.open_case(variant)
    token = links.choice_token(case.shop_id, case.id)
    first_device = store_app.test_client()
    form = _form(first_device.get(f"/c/{token}").get_data(as_text=True))
    request = {**form, "offer": "refund"}
    assert first_device.post(f"/c/{token}/choose", data=request).status_code == 303
    work()
    assert len(store.order_state(case.order_gid)["refunds"]) == 1

    # The same request replayed later, the link opened again on another device, the cancel page replayed.
    assert first_device.post(f"/c/{token}/choose", data=request).status_code == 303
    second_device = store_app.test_client()
    page = second_device.get(f"/c/{token}").get_data(as_text=True)
    assert 'name="offer"' not in page and "form_token" not in page
    for option in ("refund", "wait"):
        assert second_device.post(f"/c/{token}/choose", data={**form, "offer": option}).status_code == 303
    assert second_device.post(f"/c/{token}/agree", data=form).status_code == 303
    assert second_device.get(f"/c/{token}/cancel").status_code == 303
    work()

    order = store.order_state(case.order_gid)
    assert len(order["refunds"]) == 1 and order["tags"] == []
    assert len(emulator.shop_state().discounts) == 1 and not emulator.shop_state().order_edits
    kinds = list(db.session().scalars(select(CaseEvent.kind).where(CaseEvent.kind.in_(
        ("choice_made", "choice_carried_out")))))
    assert sorted(kinds) == ["choice_carried_out", "choice_made"]
    assert sorted(db.session().scalars(select(Notification.kind))) == ["choice_confirmed", "refund_done"]


def test_silence_until_the_deadline_keeps_the_order_waiting_with_priority_once(store, store_app, work, emulator):
    variant = store.products()[0]["variants"]["nodes"][0]["id"]
    case = store.open_case(variant)
    case.choice_deadline_at = db.utcnow() - timedelta(minutes=1)
    db.session().commit()
    assert choice_jobs.sweep_deadlines() == 1
    work()
    assert choice_jobs.sweep_deadlines() == 0
    work()
    order = store.order_state(case.order_gid)
    assert order["tags"] == ["stockout-priority"] and order["refunds"] == []
    assert len(emulator.shop_state().discounts) == 1
    db.session().expire_all()
    waiting = db.session().get(StockoutCase, case.id)
    assert (waiting.choice, waiting.status, waiting.delay_agreed_at) == ("wait", "waiting", None)
    assert list(db.session().scalars(select(Notification.kind))) == ["default_applied"]
    page = store_app.test_client().get(f"/c/{links.choice_token(case.shop_id, case.id)}").get_data(as_text=True)
    assert "我们已按店铺的默认方式处理" in page
