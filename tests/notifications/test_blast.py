"""Back-in-stock blasts: one job per chunk, each sign-up served once, opt-outs checked at send time."""

from __future__ import annotations

from sqlalchemy import select

from app import db, queues
from app.models import BackInStockSubscription, Notification, VariantStock
from app.notifications import links, service
from tests.notifications.conftest import add_shop

VARIANT = "gid://shopify/ProductVariant/11"


def sign_ups(shop, count: int, **fields) -> list[int]:
    session = db.session()
    rows = [
        BackInStockSubscription(shop_id=shop.id, variant_gid=VARIANT, email=f"fan{n}@example.com",
                                locale="zh-CN" if n % 3 == 0 else "en", consent_at=db.utcnow(), **fields)
        for n in range(count)
    ]
    session.add_all(rows)
    session.add(VariantStock(shop_id=shop.id, variant_gid=VARIANT, title="Stoneware Teapot", available=40))
    session.commit()
    return [row.id for row in rows]


def test_a_blast_reaches_each_sign_up_once_with_its_own_unsubscribe_link(app, app_context, client, smtp, twilio,
                                                                          run_jobs):
    shop = add_shop(sms_enabled=False)
    ids = sign_ups(shop, 30)
    client.post(f"/unsubscribe/{links.unsubscribe_token(shop.id, 'email', 'fan7@example.com', 'en')}")
    queues.enqueue("notifications", "jobs.notify.back_in_stock", shop.id, ids, 1, "https://teapots.example/p/teapot")
    assert run_jobs() == 2  # the planner, then one chunk

    assert len(smtp.messages) == 29 and not smtp.to("fan7@example.com")
    for captured in smtp.messages:
        [to] = captured.rcpt_tos
        text = captured.message.get_body(("plain",)).get_content()
        assert "https://teapots.example/p/teapot" in text
        token = captured.message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
        assert links.read_unsubscribe(token).address == to
        assert f"/unsubscribe/{token}" in text
        assert captured.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp.to("fan0@example.com")[0].message["Subject"] == "到货通知：Stoneware Teapot已在Juniper & Clay重新上架"
    assert smtp.to("fan1@example.com")[0].message["Subject"] == "Stoneware Teapot is back in stock at Juniper & Clay"

    db.session().expire_all()
    statuses = db.session().scalars(select(BackInStockSubscription.status).order_by(BackInStockSubscription.id)).all()
    assert statuses.count("notified") == 29 and statuses[7] == "waiting"
    suppressed = db.session().scalars(select(Notification).where(Notification.status == "suppressed")).one()
    assert suppressed.recipient == "fan7@example.com"

    queues.enqueue("notifications", "jobs.notify.back_in_stock", shop.id, ids, 1)
    run_jobs()
    assert len(smtp.messages) == 29  # the same wave again sends nothing


def test_an_opt_out_after_planning_is_honoured_at_send_time(app_context, client, smtp, twilio, run_jobs):
    shop = add_shop(sms_enabled=False)
    ids = sign_ups(shop, 5)
    assert service.back_in_stock(shop.id, ids, 1, db.utcnow()) == 5  # rows planned, the chunk job waits
    client.post(f"/unsubscribe/{links.unsubscribe_token(shop.id, 'email', 'fan2@example.com', 'en')}")
    assert run_jobs() == 1
    assert len(smtp.messages) == 4 and not smtp.to("fan2@example.com")
