from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import Shop, StockoutCase, WebhookEvent


def test_datetimes_come_back_in_utc(app_context):
    session = db.session()
    shop = Shop(domain="a.myshopify.com", installed_at=datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc))
    session.add(shop)
    session.commit()
    session.expunge_all()
    loaded = session.scalars(select(Shop)).one()
    assert loaded.installed_at == datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    assert loaded.installed_at.tzinfo is not None


def test_naive_datetimes_are_refused(app_context):
    session = db.session()
    session.add(Shop(domain="b.myshopify.com", installed_at=datetime(2026, 11, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_one_case_per_order_per_shop(app_context):
    session = db.session()
    shop = Shop(domain="c.myshopify.com")
    session.add(shop)
    session.flush()
    session.add(StockoutCase(shop_id=shop.id, order_gid="gid://shopify/Order/1"))
    session.commit()
    session.add(StockoutCase(shop_id=shop.id, order_gid="gid://shopify/Order/1"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_event_ids_are_unique(app_context):
    session = db.session()
    shop = Shop(domain="d.myshopify.com")
    session.add(shop)
    session.flush()
    session.add(WebhookEvent(shop_id=shop.id, event_id="e-1", topic="orders/create"))
    session.commit()
    session.add(WebhookEvent(shop_id=shop.id, event_id="e-1", topic="orders/create"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_tokens_are_encrypted_at_rest(app):
    cipher = app.extensions["stockout.cipher"]
    with app.app_context():
        session = db.session()
        session.add(Shop(domain="e.myshopify.com", access_token_encrypted=cipher.encrypt("shpat_secret_value")))
        session.commit()
        dumped = session.execute(text("SELECT access_token_encrypted FROM shops")).scalar_one()
    assert "shpat_secret_value" not in dumped
    assert cipher.decrypt(dumped) == "shpat_secret_value"


def test_deleting_a_shop_deletes_its_rows(app_context):
    session = db.session()
    shop = Shop(domain="f.myshopify.com")
    session.add(shop)
    session.flush()
    session.add(StockoutCase(shop_id=shop.id, order_gid="gid://shopify/Order/9"))
    session.commit()
    session.delete(shop)
    session.commit()
    assert session.scalars(select(StockoutCase)).all() == []
