"""Recording many deliveries at once: one statement for the common case, each outcome where it belongs."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from app import db
from app.models import WebhookEvent
from tests.intake.conftest import DOMAIN, make_shop, webhook_headers
from webhooks.recording import Envelope, record_deliveries


def envelope(topic: str, event_id: str | None, domain: str = DOMAIN) -> Envelope:
    return Envelope(topic=topic, shop_domain=domain, event_id=event_id, webhook_id=None, api_version="2026-07",
                    triggered_at=None)


def test_a_mixed_batch_gets_each_outcome_in_order(app_context):
    installed = make_shop()
    gone = make_shop("gone.myshopify.com", uninstalled=True)
    batch = [
        (envelope("orders/create", "a"), b"{}"),
        (envelope("orders/create", "a"), b"{}"),
        (envelope("orders/create", "b", "stranger.myshopify.com"), b"{}"),
        (envelope("collections/create", "c"), b"{}"),
        (envelope("orders/create", "d", "gone.myshopify.com"), b"{}"),
        (envelope("shop/redact", "e", "gone.myshopify.com"), b"{}"),
        (envelope("orders/paid", None), b"{}"),
        (envelope("orders/paid", "f"), b"{}"),
    ]
    with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        outcomes = record_deliveries(connection, batch)
        again = record_deliveries(connection, batch[:1])
    assert [(o.status, o.shop_id) for o in outcomes] == [
        ("pending", installed), ("duplicate", installed), ("dropped", None), ("ignored", installed),
        ("dropped", None), ("pending", gone), ("rejected", installed), ("pending", installed)]
    assert [o.status for o in again] == ["duplicate"]
    assert db.session().scalar(select(func.count()).select_from(WebhookEvent)) == 5


def test_concurrent_requests_with_duplicates_record_each_event_once(app, client):
    with app.app_context():
        make_shop()
    ids = [str(uuid.uuid4()) for _ in range(60)]
    sent = ids + ids[:20]
    statuses: list[int] = []

    def post(chunk):
        local = app.test_client()
        for event_id in chunk:
            body = f'{{"id": "{event_id}"}}'.encode()
            headers = webhook_headers("orders/create", body, event_id=event_id)
            statuses.append(local.post("/webhooks", data=body, headers=headers).status_code)

    threads = [threading.Thread(target=post, args=(sent[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * len(sent)
    with app.app_context():
        assert sorted(db.session().scalars(select(WebhookEvent.event_id))) == sorted(ids)


def test_the_recorder_survives_its_kept_connection_being_killed(app, client):
    import pytest
    from sqlalchemy import text

    with app.app_context():
        if db.engine().dialect.name != "postgresql":
            pytest.skip("terminating a backend is PostgreSQL's")
        make_shop()
    first = b'{"id": 1}'
    assert client.post("/webhooks", data=first, headers=webhook_headers("orders/create", first)).status_code == 200
    with app.app_context(), db.engine().connect() as admin:
        killed = admin.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'")).scalar()
    assert killed >= 1
    second = b'{"id": 2}'
    assert client.post("/webhooks", data=second, headers=webhook_headers("orders/create", second)).status_code == 200
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(WebhookEvent)) == 2
