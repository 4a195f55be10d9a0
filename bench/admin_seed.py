"""Realistic admin data for one shop: products, stock, cases with their timelines, messages, orders and sales."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app.models import (
    CaseEvent,
    CaseLine,
    CatalogueChange,
    Compensation,
    Notification,
    ProductState,
    RestockPlan,
    StockoutCase,
    VariantStock,
    WebhookEvent,
)
from app.models.catalogue import SeenOrder, VariantSalesDay

NAMES = ["粗陶茶壶", "青瓷茶杯", "柴烧花器", "手作餐盘", "Stoneware Mug", "Celadon Bowl", "Tea Caddy", "Sake Set"]
GLAZES = ["米白釉", "青瓷釉", "天目釉", "Sand", "Ash", "Moss"]
CUSTOMERS = ["王晓雯", "陈怡君", "Emma Stone", "李明", "张伟", "Olivia Chen", "刘洋", "黄佳"]
REASONS = ["supplier_shortage", "demand_spike", "damaged_stock", "inventory_sync_delay", "unknown"]
STATUSES = ["open", "notified", "waiting", "resolving", "resolved", "closed"]
CHOICES = [None, "wait", "wait", "substitute", "refund"]


def _insert(session, model, rows: list[dict], returning=None) -> list:
    if not rows:
        return []
    statement = insert(model)
    if returning is not None:
        return list(session.execute(statement.returning(returning, sort_by_parameter_order=True), rows).scalars())
    session.execute(statement, rows)
    return []


def seed_products(session, shop_id: int, count: int, now: datetime, rng: random.Random) -> list[dict]:
    """Products with their state and variants' stock; about 8 % switched to presale or delisted."""
    products, variants, plans, changes, sales = [], [], [], [], []
    for index in range(count):
        gid = f"gid://shopify/Product/{7000000 + index}"
        title = f"{rng.choice(NAMES)} {rng.choice(GLAZES)} #{index + 1}"
        roll = rng.random()
        state = "presale" if roll < 0.05 else "delisted" if roll < 0.08 else "normal"
        ship_by = (now + timedelta(days=rng.randint(3, 20))).date() if state == "presale" else None
        reason = {"presale": "restock_within_presale", "delisted": "restock_too_far"}.get(state)
        products.append(dict(shop_id=shop_id, product_gid=gid, title=title, state=state, ship_by=ship_by,
                             reason=reason, leave_alone=rng.random() < 0.02, created_at=now, updated_at=now,
                             decided_at=now - timedelta(hours=index % 500), applied_at=now))
        for number in range(rng.randint(1, 3)):
            variant_gid = f"gid://shopify/ProductVariant/{9000000 + index * 3 + number}"
            available = 0 if state != "normal" else rng.randint(0, 60)
            out_since = now - timedelta(hours=rng.randint(0, 30)) if available == 0 else None
            variants.append(dict(shop_id=shop_id, variant_gid=variant_gid, product_gid=gid,
                                 title=f"{title} / {number + 1}", sku=f"SKU-{index:05d}-{number}", tracked=True,
                                 available=available, levels={}, out_of_stock_since=out_since, created_at=now,
                                 updated_at=now))
            if rng.random() < 0.5:
                for days_ago in rng.sample(range(30), 4):
                    sales.append(dict(shop_id=shop_id, variant_gid=variant_gid, product_gid=gid,
                                      day=(now - timedelta(days=days_ago)).date(), quantity=rng.randint(1, 6)))
        if state != "normal":
            plans.append(dict(shop_id=shop_id, scope="product", scope_key=gid, source="admin",
                              restock_date=ship_by, reason=rng.choice(REASONS[:3]), created_at=now, updated_at=now))
            changes.append(dict(shop_id=shop_id, product_gid=gid, action="presale" if state == "presale" else "delist",
                                field="title" if state == "presale" else "publication", before=title,
                                after=f"【预售】{title}" if state == "presale" else None, reason=reason,
                                created_at=now - timedelta(hours=2)))
    _insert(session, ProductState, products)
    _insert(session, VariantStock, variants)
    _insert(session, RestockPlan, plans)
    _insert(session, CatalogueChange, changes)
    _insert(session, VariantSalesDay, sales)
    return variants


def seed_cases(session, shop_id: int, count: int, variants: list[dict], now: datetime, rng: random.Random) -> None:
    """Cases over the last twelve months, each with lines, events, messages and sometimes compensation."""
    cases = []
    for index in range(count):
        waiting = index >= count - 6  # the newest few still wait to hear from the shop, some past the deadline
        detected = now - timedelta(minutes=rng.randint(5, 150) if waiting else rng.randint(5, 360 * 24 * 60))
        notified = None if waiting else detected + timedelta(minutes=rng.randint(2, 150))
        choice = rng.choice(CHOICES) if notified else None
        status = "open" if notified is None else rng.choice(STATUSES[1:]) if choice else "notified"
        cases.append(dict(
            shop_id=shop_id, order_gid=f"gid://shopify/Order/{5000000 + index}", order_name=f"#{1001 + index}",
            customer_name=rng.choice(CUSTOMERS), email=f"customer{index}@example.com", phone=f"+86138{index:08d}",
            customer_locale=rng.choice(["zh-CN", "zh-TW", "en"]), currency="CNY",
            order_total=Decimal(rng.randint(80, 900)), reason=rng.choice(REASONS), status=status, choice=choice,
            satisfaction_score=rng.choice([None, 3, 4, 5, 5]) if status in ("resolved", "closed") else None,
            detected_at=detected, notify_deadline_at=detected + timedelta(minutes=120), notified_at=notified,
            chosen_at=notified + timedelta(hours=3) if choice else None, delay_count=0,
            created_at=detected, updated_at=detected,
        ))
    ids = _insert(session, StockoutCase, cases, returning=StockoutCase.id)
    lines, events, messages, compensations = [], [], [], []
    for case_id, case in zip(ids, cases):
        variant = rng.choice(variants)
        lines.append(dict(shop_id=shop_id, case_id=case_id, line_item_gid=f"gid://shopify/LineItem/{case_id}",
                          variant_gid=variant["variant_gid"], product_gid=variant["product_gid"],
                          title=variant["title"], sku=variant["sku"], quantity_ordered=2,
                          quantity_short=rng.randint(1, 2), unit_price=Decimal(rng.randint(40, 300))))
        events.append(dict(shop_id=shop_id, case_id=case_id, kind="opened", detail={"reason": case["reason"]},
                           created_at=case["detected_at"]))
        if case["notified_at"]:
            events.append(dict(shop_id=shop_id, case_id=case_id, kind="notified", detail={},
                               created_at=case["notified_at"]))
            failed = rng.random() < 0.01
            messages.append(dict(
                shop_id=shop_id, case_id=case_id, channel="email", recipient=case["email"], kind="stockout_notice",
                locale=case["customer_locale"], idempotency_key=f"seed-{case_id}-email",
                status="failed" if failed else "sent", subject=f"【山野手作】订单 {case['order_name']} 缺货通知",
                body=f"{case['customer_name']}，您好：非常抱歉，您订购的 {lines[-1]['title']} 暂时缺货。",
                error="550 mailbox unavailable" if failed else None, sent_at=None if failed else case["notified_at"],
                created_at=case["notified_at"], updated_at=case["notified_at"],
            ))
        if case["choice"]:
            events.append(dict(shop_id=shop_id, case_id=case_id, kind="choice_made",
                               detail={"option": case["choice"], "source": "customer"}, created_at=case["chosen_at"]))
            compensations.append(dict(
                shop_id=shop_id, case_id=case_id, option=case["choice"], kind="percent_of_order",
                amount=Decimal(rng.randint(5, 30)), currency="CNY", status="granted", coupon_code=f"SORRY{case_id}",
                idempotency_key=f"seed-comp-{case_id}", created_at=case["chosen_at"], updated_at=case["chosen_at"],
            ))
    _insert(session, CaseLine, lines)
    _insert(session, CaseEvent, events)
    _insert(session, Notification, messages)
    _insert(session, Compensation, compensations)


def seed_orders(session, shop_id: int, count: int, now: datetime, rng: random.Random) -> None:
    rows = [dict(shop_id=shop_id, order_gid=f"gid://shopify/Order/{8000000 + i}",
                 created_at=now - timedelta(minutes=rng.randint(1, 360 * 24 * 60))) for i in range(count)]
    for start in range(0, len(rows), 5000):
        _insert(session, SeenOrder, rows[start:start + 5000])


def seed_failures(session, shop_id: int, now: datetime) -> None:
    _insert(session, WebhookEvent, [
        dict(shop_id=shop_id, event_id=f"seed-failed-{i}", topic="orders/create", status="failed", attempts=8,
             error="handler raised", received_at=now - timedelta(hours=i)) for i in range(3)
    ])


def seed_shop(session, shop_id: int, now: datetime, *, products: int, cases: int, orders: int, seed: int = 7) -> None:
    """Fill one shop with data; commits once at the end."""
    rng = random.Random(seed)
    variants = seed_products(session, shop_id, products, now, rng)
    seed_cases(session, shop_id, cases, variants, now, rng)
    seed_orders(session, shop_id, orders, now, rng)
    seed_failures(session, shop_id, now)
    session.commit()
