"""Back-in-stock jobs: stock returned, one batch of alerts, the reminder. JSON-safe ids in, safe to rerun."""

from __future__ import annotations

from app.choices import back_in_stock, restock_batches
from app.shopify.client import client_for


def stock_returned(shop_id: int, variant_gid: str, available: int) -> dict:
    """A variant's available stock rose: serve waiting orders, then start telling sign-ups."""
    return back_in_stock.stock_returned(shop_id, variant_gid, available)


def send_batch(shop_id: int, variant_gid: str, wave: int, batch: int) -> int:
    """Re-check the stock and tell the next batch of sign-ups in line."""
    with client_for(shop_id) as client:
        return restock_batches.send_batch(client, shop_id, variant_gid, wave, batch)


def send_reminders(shop_id: int, variant_gid: str, wave: int) -> int:
    """One reminder, a day later, to those who have not bought while it is still in stock."""
    with client_for(shop_id) as client:
        return restock_batches.send_reminders(client, shop_id, variant_gid, wave)
