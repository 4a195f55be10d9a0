"""When stock returns: serve waiting orders first, then tell back-in-stock sign-ups in waves of batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import db, queues
from app.choices.waiting import serve_waiting
from app.models import BackInStockSubscription, ShopSettings, VariantStock
from app.models.messaging import RestockAlert

WAITING = "waiting"


def shop_settings(shop_id: int) -> ShopSettings | None:
    """The shop's settings row, or None while it has none."""
    return db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop_id)).first()


def waiting_count(shop_id: int, variant_gid: str) -> int:
    """How many sign-ups for the variant are still waiting to be told."""
    return db.session().scalar(
        select(func.count()).select_from(BackInStockSubscription)
        .where(BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid == variant_gid)
        .where(BackInStockSubscription.status == WAITING)
    )


def explain_waiting(shop_id: int, variant_gid: str, reason: str) -> None:
    """Say on every waiting sign-up why it was not told (yet); the caller commits."""
    db.session().execute(
        update(BackInStockSubscription)
        .where(BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid == variant_gid)
        .where(BackInStockSubscription.status == WAITING)
        .values(status_reason=reason)
        .execution_options(synchronize_session=False)
    )


def _level_now(shop_id: int, variant_gid: str, when_it_rose: int) -> int:
    """The variant's available units as last read, its row locked; `when_it_rose` if the app has no reading."""
    stock = db.session().scalars(
        select(VariantStock).where(VariantStock.shop_id == shop_id, VariantStock.variant_gid == variant_gid)
        .with_for_update().execution_options(populate_existing=True)
    ).first()
    if stock is None or stock.inventory_updated_at is None or stock.available is None:
        return when_it_rose
    return stock.available


def _alert(shop_id: int, variant_gid: str) -> RestockAlert:
    session = db.session()
    query = select(RestockAlert).where(RestockAlert.shop_id == shop_id, RestockAlert.variant_gid == variant_gid)
    row = session.scalars(query).first()
    if row is not None:
        return row
    session.add(RestockAlert(shop_id=shop_id, variant_gid=variant_gid))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    return session.scalars(query).one()


def start_wave(shop_id: int, variant_gid: str, now: datetime) -> int | None:
    """Begin a new wave of batches unless one is running; returns the wave number started."""
    session = db.session()
    alert = _alert(shop_id, variant_gid)
    started = session.execute(
        update(RestockAlert)
        .where(RestockAlert.id == alert.id, RestockAlert.status != "running")
        .values(status="running", wave=RestockAlert.wave + 1, batch_number=0, started_at=now, finished_at=None,
                outcome=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if not started:
        return None
    session.refresh(alert)
    return alert.wave


def stock_returned(shop_id: int, variant_gid: str, available: int) -> dict:
    """Call on any rise of a variant's available stock: waiting orders first, then the sign-ups' first batch.

    `available` is the level when it rose; the level the app holds now counts instead (read under the variant's
    lock, held until the waiting orders are served), since in a burst it may have fallen again meanwhile.
    """
    available = _level_now(shop_id, variant_gid, available)
    served = serve_waiting(shop_id, variant_gid, available)
    result = {"orders_served": served, "wave": None}
    if available <= 0 or waiting_count(shop_id, variant_gid) == 0:
        return result
    settings = shop_settings(shop_id)
    minimum = settings.restock_min_quantity if settings else 1
    if available < minimum:
        explain_waiting(shop_id, variant_gid, f"not told yet: only {available} came back, below the minimum of {minimum}")
        db.session().commit()
        return result
    wave = start_wave(shop_id, variant_gid, db.utcnow())
    if wave is not None:
        queues.enqueue("default", "jobs.back_in_stock.send_batch", shop_id, variant_gid, wave, 1,
                       job_id=f"bis-{shop_id}-{variant_gid.rsplit('/', 1)[-1]}-{wave}-1")
    result["wave"] = wave
    return result
