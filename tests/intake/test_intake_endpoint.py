"""POST /webhooks: refusals, recording before acknowledgement, duplicates, Redis or the database down."""

from __future__ import annotations

import io

import pytest
from redis import Redis
from sqlalchemy import func, select

from app import create_app, db
from app.models import WebhookEvent
from tests.conftest import make_settings
from jobs.events import sweep
from tests.intake.conftest import DOMAIN, calls, make_shop, webhook_headers
from tests.intake.handlers import TABLE
from webhooks.dispatch import drain_job_ids

ORDER = "orders-create.json"


def events() -> list[WebhookEvent]:
    session = db.session()
    found = list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))
    session.commit()  # ends the read without expiring what was read
    return found


def test_a_signed_order_is_recorded_with_its_envelope_and_a_drain_is_enqueued(app, shop_id, post_webhook, sample):
    body = sample(ORDER)
    response = post_webhook("orders/create", body, event_id="ev-1")
    assert response.status_code == 200
    [event] = events()
    assert (event.shop_id, event.event_id, event.topic, event.status) == (shop_id, "ev-1", "orders/create", "pending")
    assert event.raw_body == body
    assert event.api_version == "2026-07"
    assert event.triggered_at.isoformat() == "2026-11-25T10:00:00.123456+00:00"
    assert event.webhook_id
    queue_ids = Redis.from_url(app.config["SETTINGS"].redis_url).lrange("rq:queue:webhooks", 0, -1)
    assert queue_ids == [drain_job_ids(shop_id)[0].encode()]


def test_a_bad_signature_is_refused_with_401_and_nothing_stored(app, shop_id, client, sample):
    body = sample(ORDER)
    headers = webhook_headers("orders/create", body, secret="not-our-secret")
    assert client.post("/webhooks", data=body, headers=headers).status_code == 401
    del headers["X-Shopify-Hmac-Sha256"]
    assert client.post("/webhooks", data=body, headers=headers).status_code == 401
    tampered = webhook_headers("orders/create", body)
    assert client.post("/webhooks", data=body.replace(b"1", b"2"), headers=tampered).status_code == 401
    assert events() == []
    assert Redis.from_url(app.config["SETTINGS"].redis_url).llen("rq:queue:webhooks") == 0


def test_the_previous_secret_is_accepted_during_a_rotation(settings, sample):
    rotated = create_app(settings.replace(shopify_api_secret="new-secret",
                                          shopify_api_secret_previous="test-client-secret"))
    with rotated.app_context():
        make_shop()
        body = sample(ORDER)
        client = rotated.test_client()
        assert client.post("/webhooks", data=body, headers=webhook_headers("orders/create", body)).status_code == 200
        new = webhook_headers("orders/create", body, secret="new-secret")
        assert client.post("/webhooks", data=body, headers=new).status_code == 200
        assert len(events()) == 2
    _cleanup(rotated)


class CountingStream(io.RawIOBase):
    """An endless body that counts what the app reads of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def tell(self):
        return self.read_bytes

    def seek(self, offset, whence=0):
        return offset

    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_a_body_declared_too_large_is_refused_with_413_before_any_byte_is_read(app, shop_id, client):
    stream = CountingStream()
    limit = app.config["SETTINGS"].webhook_max_body_bytes
    response = client.post("/webhooks", input_stream=stream, headers=webhook_headers("orders/create", b""),
                           environ_overrides={"CONTENT_LENGTH": str(limit + 1)})
    assert response.status_code == 413
    assert stream.read_bytes == 0
    assert events() == []


def test_a_chunked_body_is_cut_off_just_past_the_limit(app, shop_id, client):
    stream = CountingStream()
    limit = app.config["SETTINGS"].webhook_max_body_bytes
    response = client.post("/webhooks", input_stream=stream, headers=webhook_headers("orders/create", b""),
                           environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413
    assert stream.read_bytes <= limit + 1
    assert events() == []


def test_a_webhook_for_an_unknown_shop_is_acknowledged_and_dropped(app, shop_id, post_webhook, sample):
    assert post_webhook("orders/create", sample(ORDER), domain="stranger.myshopify.com").status_code == 200
    assert events() == []


def test_an_uninstalled_shop_keeps_only_compliance_and_uninstall_topics(app_context, post_webhook, sample):
    make_shop(uninstalled=True)
    assert post_webhook("orders/create", sample(ORDER)).status_code == 200
    assert post_webhook("shop/redact", sample("shop-redact.json")).status_code == 200
    assert post_webhook("customers/redact", sample("customers-redact.json")).status_code == 200
    assert post_webhook("app/uninstalled", sample("app-uninstalled.json")).status_code == 200
    assert [(e.topic, e.status) for e in events()] == [
        ("shop/redact", "pending"), ("customers/redact", "pending"), ("app/uninstalled", "pending")]


def test_an_unknown_topic_is_acknowledged_and_recorded_as_ignored(app, shop_id, post_webhook):
    assert post_webhook("collections/create", b'{"id": 1}').status_code == 200
    [event] = events()
    assert (event.status, event.error) == ("ignored", "no handler for topic 'collections/create'")
    assert event.processed_at is not None
    assert Redis.from_url(app.config["SETTINGS"].redis_url).llen("rq:queue:webhooks") == 0


def test_a_delivery_without_any_id_is_recorded_as_rejected(app, shop_id, client, sample):
    body = sample(ORDER)
    headers = webhook_headers("orders/create", body)
    del headers["X-Shopify-Event-Id"], headers["X-Shopify-Webhook-Id"]
    assert client.post("/webhooks", data=body, headers=headers).status_code == 200
    assert client.post("/webhooks", data=body, headers=headers).status_code == 200
    [event] = events()
    assert event.status == "rejected" and "X-Shopify-Event-Id" in event.error


def test_the_same_event_twice_is_one_record(app, shop_id, post_webhook, sample):
    body = sample(ORDER)
    assert post_webhook("orders/create", body, event_id="same").status_code == 200
    assert post_webhook("orders/create", body, event_id="same").status_code == 200
    assert [e.event_id for e in events()] == ["same"]


def test_with_redis_down_the_event_is_still_recorded_then_the_sweeper_gets_it_processed(app, settings, sample,
                                                                                        run_jobs):
    cut_off = create_app(settings.replace(redis_url="redis://127.0.0.1:1/0"))
    with cut_off.app_context():
        make_shop()
        body = sample(ORDER)
        response = cut_off.test_client().post("/webhooks", data=body, headers=webhook_headers("orders/create", body))
        assert response.status_code == 200
        assert [e.status for e in events()] == ["pending"]
    cut_off.extensions["stockout.engine"].dispose()
    with app.app_context():
        assert sweep(min_age_seconds=0, table=TABLE)
    run_jobs(["webhooks"])
    with app.app_context():
        assert [e.status for e in events()] == ["processed"]
        assert calls() == [events()[0].event_id, "after:processed"]


def test_with_the_database_down_the_answer_is_5xx_so_shopify_retries(settings, sample):
    no_database = create_app(settings.replace(database_url="postgresql+psycopg://postgres@127.0.0.1:1/gone"))
    body = sample(ORDER)
    response = no_database.test_client().post("/webhooks", data=body, headers=webhook_headers("orders/create", body))
    assert response.status_code == 503


def test_only_post_is_served(client):
    assert client.get("/webhooks").status_code == 405


def _cleanup(other_app) -> None:
    with other_app.app_context():
        db.session().execute(WebhookEvent.__table__.delete())
        from app.models import Shop

        db.session().execute(Shop.__table__.delete().where(Shop.domain == DOMAIN))
        db.session().commit()
    other_app.extensions["stockout.engine"].dispose()
