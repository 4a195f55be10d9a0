"""Granting the compensation coupon of a choice: one single-use code per case, recorded with what it costs."""

from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import db
from app.choices import side_effects
from app.choices.shopify_order import GraphQLClient
from app.domain.compensation import CompensationGrant, coupon_code
from app.models import Compensation, StockoutCase
from app.shopify import documents
from app.shopify.errors import UserErrors

COUPON_PREFIX = "SORRY"
CODE_TAKEN = "TAKEN"


def coupon_key(case: StockoutCase) -> str:
    """The idempotency key of the case's one coupon."""
    return f"coupon:{case.shop_id}:{case.id}"


def granted(case: StockoutCase) -> Compensation | None:
    """The coupon already recorded on the case, if any."""
    return db.session().scalars(
        select(Compensation).where(Compensation.shop_id == case.shop_id, Compensation.case_id == case.id)
        .where(Compensation.idempotency_key == coupon_key(case))
    ).first()


def record_covered_difference(case: StockoutCase, amount) -> Compensation | None:
    """What the shop paid towards a dearer substitute (a line discount on the edited order), recorded once."""
    if amount <= 0:
        return None
    key = f"price_difference:{case.shop_id}:{case.id}"
    session = db.session()
    existing = session.scalars(select(Compensation).where(Compensation.idempotency_key == key)).first()
    if existing is not None:
        return existing
    row = Compensation(shop_id=case.shop_id, case_id=case.id, option="substitute", kind="price_difference",
                       amount=amount, currency=case.currency, status="granted", idempotency_key=key)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.scalars(select(Compensation).where(Compensation.idempotency_key == key)).first()
    return row


def _record(case: StockoutCase, grant: CompensationGrant) -> Compensation:
    """The Compensation row for this case, created pending on first call."""
    existing = granted(case)
    if existing is not None:
        return existing
    row = Compensation(
        shop_id=case.shop_id, case_id=case.id, option=grant.option.value, kind=grant.kind.value,
        amount=grant.amount.amount if grant.amount else 0, currency=case.currency,
        coupon_code=coupon_code(COUPON_PREFIX, f"{case.shop_id}:{case.id}", grant.option),
        ends_on=grant.ends_on, priority_shipping=grant.priority_shipping, idempotency_key=coupon_key(case),
    )
    session = db.session()
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return granted(case)
    return row


def _input(case: StockoutCase, grant: CompensationGrant, code: str, now: datetime) -> dict:
    data = {
        "title": f"Stockout {case.order_name}: {grant.option.value} ({code})",
        "code": code,
        "startsAt": now.isoformat(),
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
        "context": {"customers": {"add": [case.customer_gid]}} if case.customer_gid else {"all": "ALL"},
    }
    if grant.ends_on:
        data["endsAt"] = datetime.combine(grant.ends_on, time(23, 59, 59), tzinfo=timezone.utc).isoformat()
    if grant.minimum_order:
        data["minimumRequirement"] = {"subtotal": {"greaterThanOrEqualToSubtotal": str(grant.minimum_order.amount)}}
    if not grant.free_shipping:
        data["customerGets"] = {
            "value": {"discountAmount": {"amount": str(grant.amount.amount), "appliesOnEachItem": False}},
            "items": {"all": True},
        }
    return data


def _create(client: GraphQLClient, case: StockoutCase, grant: CompensationGrant, code: str) -> dict:
    data = _input(case, grant, code, db.utcnow())
    try:
        if grant.free_shipping:
            data.pop("customerGets", None)
            data["destination"] = {"all": True}
            result = client.graphql(documents.DISCOUNT_CODE_FREE_SHIPPING_CREATE, freeShippingCodeDiscount=data)
            node = result["discountCodeFreeShippingCreate"]["codeDiscountNode"]
        else:
            result = client.graphql(documents.DISCOUNT_CODE_BASIC_CREATE, basicCodeDiscount=data)
            node = result["discountCodeBasicCreate"]["codeDiscountNode"]
    except UserErrors as refused:
        if CODE_TAKEN not in refused.codes:
            raise
        # An earlier attempt created it and we never heard back: the code is ours, find it.
        node = client.graphql(documents.DISCOUNT_CODE_BY_CODE, code=code)["codeDiscountNodeByCode"]
        if node is None:
            raise
    return {"discount_gid": node["id"], "code": code}


def grant_coupon(client: GraphQLClient, case: StockoutCase, grant: CompensationGrant | None) -> Compensation | None:
    """Create the case's discount code (one per case, whatever the option) and record it as granted."""
    if grant is None or not grant.has_coupon:
        return None
    row = _record(case, grant)
    if row.status == "granted":
        return row
    result = side_effects.perform(
        case.shop_id, case.id, "coupon", coupon_key(case), {"code": row.coupon_code, "option": row.option},
        lambda _effect: _create(client, case, grant, row.coupon_code),
    )
    row.discount_gid, row.status = result["discount_gid"], "granted"
    db.session().commit()
    return row

