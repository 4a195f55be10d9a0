"""Back-in-stock sign-ups from the storefront: validated, deduplicated, consent recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select

from app import db
from app.domain.locales import resolve_locale
from app.models import BackInStockSubscription, Shop

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
NUMERIC_ID = re.compile(r"^\d{1,20}$")
CONSENT_SOURCE = "storefront_back_in_stock"


class SignUpRefused(ValueError):
    """The sign-up cannot be recorded; `field` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SignUp:
    """A validated sign-up, before it is stored."""

    variant_gid: str
    product_gid: str | None
    email: str | None
    phone: str | None
    locale: str
    customer_gid: str | None


def _gid(kind: str, raw: str | None) -> str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if NUMERIC_ID.match(raw):
        return f"gid://shopify/{kind}/{raw}"
    if re.fullmatch(rf"gid://shopify/{kind}/\d{{1,20}}", raw):
        return raw
    raise SignUpRefused(kind, f"not a {kind} id")


def _given(form: dict, name: str, field: str) -> str | None:
    """A posted field as text (a JSON number is read as its digits); a list, object or boolean is refused."""
    value = form.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is not None and not isinstance(value, str):
        raise SignUpRefused(field, f"{name} is not text")
    return value


def read_sign_up(form: dict, shop: Shop, logged_in_customer_id: str | None) -> SignUp:
    """A sign-up from the posted fields, or SignUpRefused naming the field at fault."""
    variant = _gid("ProductVariant", _given(form, "variant_id", "variant_id"))
    if variant is None:
        raise SignUpRefused("variant_id", "which variant is this for?")
    email = (_given(form, "email", "email") or "").strip().lower() or None
    if email is not None and (len(email) > 320 or not EMAIL.match(email)):
        raise SignUpRefused("email", "not an e-mail address")
    phone = _phone(_given(form, "phone", "phone"), _given(form, "country", "phone"))
    if email is None and phone is None:
        raise SignUpRefused("email", "an e-mail address or a phone number is needed")
    return SignUp(
        variant_gid=variant, product_gid=_gid("Product", _given(form, "product_id", "Product")), email=email,
        phone=phone,
        locale=resolve_locale(form.get("locale"), shop.locale),
        customer_gid=_gid("Customer", logged_in_customer_id) if logged_in_customer_id else None,
    )


def _phone(raw: str | None, country: str | None) -> str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, (country or "US").upper()[:2])
    except phonenumbers.NumberParseException:
        raise SignUpRefused("phone", "not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise SignUpRefused("phone", "not a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _existing(shop_id: int, sign_up: SignUp) -> BackInStockSubscription | None:
    address = (
        BackInStockSubscription.email == sign_up.email
        if sign_up.email else BackInStockSubscription.phone == sign_up.phone
    )
    return db.session().scalars(
        select(BackInStockSubscription).where(
            BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid == sign_up.variant_gid,
            address,
        )
    ).first()


def record(shop: Shop, sign_up: SignUp, ip: str | None) -> tuple[BackInStockSubscription, bool]:
    """Store the sign-up with its consent; (subscription, True) when the customer joins the line now."""
    session = db.session()
    now = db.utcnow()
    row = _existing(shop.id, sign_up)
    if row is not None and row.status == "waiting":
        return row, False
    if row is None:
        row = BackInStockSubscription(shop_id=shop.id, variant_gid=sign_up.variant_gid, email=sign_up.email)
        session.add(row)
    # Signing up again joins the back of the line: the line is in order of consent.
    row.product_gid = sign_up.product_gid or row.product_gid
    row.phone = sign_up.phone or row.phone
    row.customer_gid = sign_up.customer_gid or row.customer_gid
    row.locale = sign_up.locale
    row.consent_at, row.consent_source, row.consent_ip = now, CONSENT_SOURCE, ip
    row.status, row.status_reason = "waiting", "signed up; waiting for stock"
    row.notified_at = row.reminded_at = None
    session.commit()
    return row, True
