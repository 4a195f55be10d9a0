"""Hostile-input helpers: one hypothesis profile for every property here, and two shops that must stay apart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from itsdangerous.encoding import base64_decode
from itsdangerous.exc import BadData
from sqlalchemy import func, select

from app import db
from app.models import MessageTemplate, Shop, StockoutCase
from tests.choices.conftest import add_case, add_shop

# Examples share one app and database per test (state is checked per example, by its own keys), so the
# function-scoped-fixture health check does not apply; deadline=None because the machine is shared.
HOSTILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

SHOP_A = "fuzz-shop-a.myshopify.com"
SHOP_B = "fuzz-shop-b.myshopify.com"
B_SECRET_NAME = "Bertha Secret-Bee"
B_TEMPLATE_MARK = "B-ONLY-TEMPLATE-MARK"
B_CONTACT = "owner@shop-b.example"

# Header values as a WSGI server hands them over: latin-1, never a line break.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=300)
# A path segment: anything but the characters that end one.
url_text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x10FFFF,
                                 blacklist_characters="/?#%", blacklist_categories=("Cs",)), min_size=1, max_size=200)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=5),
    max_leaves=25,
)


@dataclass(frozen=True)
class TwoShops:
    a: Shop
    b: Shop
    case_a: StockoutCase
    case_b: StockoutCase


def count(model, *where) -> int:
    db.session().expire_all()
    return db.session().scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def two_shops(app_context) -> TwoShops:
    """Shop A and shop B, both installed with an offline token; B holds data A must never see."""
    cipher = app_context.extensions["stockout.cipher"]
    a = add_shop(SHOP_A)
    b = add_shop(SHOP_B)
    for shop in (a, b):
        shop.access_token_encrypted = cipher.encrypt("shpat_fuzz")
        shop.timezone, shop.locale = "UTC", "en"
    b.contact_email = B_CONTACT
    session = db.session()
    session.add(MessageTemplate(shop_id=b.id, kind="stockout_notice", locale="en", part="sms",
                                source=f"{B_TEMPLATE_MARK} {{{{ order_name }}}}"))
    session.commit()
    case_a = add_case(a, order_gid="gid://shopify/Order/101", customer_name="Alice Ayers")
    case_b = add_case(b, order_gid="gid://shopify/Order/202", customer_name=B_SECRET_NAME)
    return TwoShops(a, b, case_a, case_b)


def same_signed_content(token: str, genuine: str) -> bool:
    """Whether a change left the signed text and the signature's bytes as they were.

    itsdangerous decodes the signature leniently (unused padding bits, characters outside base64 skipped), so
    such a token is another spelling of the genuine link, not a forgery: it cannot be made without the original.
    """
    signed, _, signature = token.rpartition(".")
    genuine_signed, _, genuine_signature = genuine.rpartition(".")
    try:
        return signed == genuine_signed and base64_decode(signature.encode()) == base64_decode(genuine_signature)
    except BadData:
        return False


@st.composite
def tampered_tokens(draw, genuine: str) -> str:
    """The genuine token with characters changed, cut, extended or swapped for anything at all."""
    how = draw(st.sampled_from(["flip", "cut", "extend", "anything", "payload"]))
    if how == "flip":
        at = draw(st.integers(0, len(genuine) - 1))
        replacement = draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
                           .filter(lambda c: c != genuine[at]))
        return genuine[:at] + replacement + genuine[at + 1:]
    if how == "cut":
        return genuine[:draw(st.integers(1, len(genuine) - 1))]
    if how == "extend":
        return genuine + draw(url_text)
    if how == "payload":
        payload, _, signature = genuine.partition(".")
        return draw(st.sampled_from(["eyJzIjoxLCJjIjoxfQ", "e30", "WzEsMl0", "bnVsbA"])) + "." + signature
    return draw(url_text.filter(lambda text: text != genuine))
