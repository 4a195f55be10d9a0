"""The embedded admin under hostile tokens: forged or expired ones get nothing; shop A's never reads shop B's data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import db, queues
from app.admin.blueprint import ROUTES
from app.admin.reports_view import CSV_NAMES
from app.admin.session_token import InvalidSessionToken, mint_session_token, verify_session_token
from app.models import ProductState, StockoutCase
from bench.admin_seed import NAMES, seed_shop
from tests.fuzz.conftest import (B_CONTACT, B_SECRET_NAME, B_TEMPLATE_MARK, HOSTILE, SHOP_A, SHOP_B, header_text,
                                 json_values)

CLIENT_ID = "test-client-id"
SECRET = "test-client-secret"
B_MARKS = re.compile("|".join(map(re.escape, [B_SECRET_NAME, B_TEMPLATE_MARK, B_CONTACT, "SKU-0", *NAMES]))
                     + r"|customer\d+@example\.com|\+8613800000\d\d\d")  # the seeded customers' phones
API_ROUTES = [(rule, methods[0]) for rule, _, _, methods in ROUTES if rule.startswith("/api/")]
PAGE_ROUTES = [rule for rule, endpoint, _, _ in ROUTES
               if not rule.startswith("/api/") and endpoint not in ("session_token_bounce", "dev_session_token")]


def _claims(now: int, shop: str = SHOP_A, **changes) -> dict:
    values = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": CLIENT_ID, "sub": "1",
              "exp": now + 60, "nbf": now, "iat": now, "jti": "j", "sid": "s"}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


@st.composite
def bad_tokens(draw) -> str:
    """A session token Shopify did not issue for this app and shop just now, or one that is not a token at all."""
    now = int(db.utcnow().timestamp())
    how = draw(st.sampled_from(["garbage", "other secret", "unsigned", "other algorithm", "expired", "early",
                                "audience", "issuer", "destination", "missing claim", "tampered", "huge"]))
    if how == "garbage":
        return draw(header_text)
    if how == "huge":
        return "eyJ" + "A" * draw(st.integers(10_000, 200_000))
    if how == "other secret":
        return jwt.encode(_claims(now), draw(st.text(min_size=1).filter(lambda s: s != SECRET)), algorithm="HS256")
    if how == "unsigned":
        return jwt.encode(_claims(now), None, algorithm="none")
    if how == "other algorithm":
        return jwt.encode(_claims(now), SECRET, algorithm=draw(st.sampled_from(["HS384", "HS512"])))
    if how == "expired":
        return jwt.encode(_claims(now, exp=now - draw(st.integers(11, 10**9))), SECRET, algorithm="HS256")
    if how == "early":
        return jwt.encode(_claims(now, nbf=now + draw(st.integers(11, 10**9))), SECRET, algorithm="HS256")
    if how == "audience":
        return jwt.encode(_claims(now, aud=draw(st.text().filter(lambda a: a != CLIENT_ID))), SECRET, algorithm="HS256")
    if how == "issuer":
        return jwt.encode(_claims(now, iss=f"https://{SHOP_B}/admin"), SECRET, algorithm="HS256")
    if how == "destination":
        dest = draw(st.sampled_from(["https://evil.example.com", f"http://{SHOP_A}", f"https://{SHOP_A}:8443",
                                     f"https://{SHOP_A}.evil.com", "", "javascript:alert(1)"]))
        return jwt.encode(_claims(now, dest=dest, iss=dest + "/admin"), SECRET, algorithm="HS256")
    if how == "missing claim":
        claims = _claims(now)
        del claims[draw(st.sampled_from(["iss", "dest", "aud", "exp", "nbf"]))]
        return jwt.encode(claims, SECRET, algorithm="HS256")
    genuine = jwt.encode(_claims(now), SECRET, algorithm="HS256")
    header, payload, signature = genuine.split(".")
    forged_payload = jwt.encode(_claims(now, shop=SHOP_B), "x", algorithm="HS256").split(".")[1]
    return ".".join([header, forged_payload, signature])


@st.composite
def odd_claims(draw) -> str:
    """Signed with the app's own secret but with claims of any type or size (never from Shopify: no crash)."""
    now = int(db.utcnow().timestamp())
    name = draw(st.sampled_from(["iss", "dest", "aud", "exp", "nbf", "sub", "sid"]))
    value = draw(st.one_of(json_values, st.sampled_from([10**20, -10**20, 1e300, 2**63, "1e400", "NaN",
                                                         float("inf"), float("-inf"), float("nan")])))
    # PyJWS signs any bytes: json.dumps writes Infinity and NaN, which Python's JSON reads back.
    return jwt.api_jws.encode(json.dumps(_claims(now, **{name: value})).encode(), SECRET, algorithm="HS256")


def _fill(rule: str, number: int, word: str) -> str:
    with_word = re.sub(r"<(?!int)\w+>", lambda _: word, rule)
    return re.sub(r"<int[^:]*:\w+>", str(number), with_word)


@pytest.fixture
def shops(two_shops):
    """Shop B also holds a realistic month of products, cases, messages and orders."""
    seed_shop(db.session(), two_shops.b.id, db.utcnow(), products=4, cases=6, orders=20)
    return two_shops


@pytest.fixture
def b_ids(shops) -> dict[str, list[int]]:
    """The ids of shop B's cases and products, for shop A to ask for."""
    session = db.session()
    return {"cases": list(session.scalars(select(StockoutCase.id).where(StockoutCase.shop_id == shops.b.id))),
            "products": list(session.scalars(select(ProductState.id).where(ProductState.shop_id == shops.b.id)))}


@HOSTILE
@given(token=st.one_of(bad_tokens(), odd_claims()), data=st.data())
def test_forged_expired_or_malformed_tokens_get_401_from_every_fetch_and_a_bounce_from_every_page(
        client, shops, token, data):
    try:
        verify_session_token(token, client_id=CLIENT_ID, secrets=(SECRET,))
        return  # an odd claim that is still a good token for shop A (say, a numeric sub)
    except InvalidSessionToken:
        pass
    rule, method = data.draw(st.sampled_from(API_ROUTES))
    path = "/app" + _fill(rule, data.draw(st.sampled_from([shops.case_a.id, shops.case_b.id, 1])),
                          data.draw(st.sampled_from(["close", "monthly", "catalogue", "x"])))
    scheme = data.draw(st.sampled_from(["Bearer ", "bearer ", "Basic ", "", "Bearer  "]))
    before = queues.queue("default").count + queues.queue("notifications").count
    response = client.open(path, method=method, json={"offer": "refund"}, headers={"Authorization": scheme + token})
    assert response.status_code == 401
    assert queues.queue("default").count + queues.queue("notifications").count == before
    page = "/app" + _fill(data.draw(st.sampled_from(PAGE_ROUTES)), shops.case_b.id, "x")
    response = client.get(page, query_string={"shop": SHOP_A, "id_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/app/session-token")
    assert not B_MARKS.search(response.get_data(as_text=True))


def _token_of_a() -> str:
    return mint_session_token(SHOP_A, client_id=CLIENT_ID, secret=SECRET, now=db.utcnow(),
                              lifetime=timedelta(minutes=5))


@HOSTILE
@given(data=st.data(), word=st.one_of(st.sampled_from(["close", "choose", "resend", "launch", "catalogue",
                                                       "notifications", *CSV_NAMES]), header_text),
       body=st.dictionaries(st.sampled_from(["offer", "kind", "locale", "part", "source", "product_ids", "csv",
                                             "leave_alone", "channel", "to", "restock_date"]), json_values, max_size=5),
       query=st.dictionaries(st.sampled_from(["kind", "locale", "part", "month", "state", "q", "page", "status",
                                              "reason", "shop"]), header_text, max_size=4))
def test_shop_as_token_never_reads_or_changes_shop_bs_data(client, shops, b_ids, data, word, body, query):
    """Every fetch and page, with B's own ids, any words and any fields: nothing of B comes back or changes."""
    number = data.draw(st.one_of(st.sampled_from(b_ids["cases"] + b_ids["products"]), st.integers(-1, 2**31 - 1), st.integers(2**31, 2**80)))
    before = _fingerprint_of_b(shops)
    jobs_before = queues.queue("default").count + queues.queue("notifications").count
    rule, method = data.draw(st.sampled_from(API_ROUTES))
    response = client.open("/app" + _fill(rule, number, word), method=method, json=body, query_string=query,
                           headers={"Authorization": f"Bearer {_token_of_a()}"})
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert not B_MARKS.search(response.get_data(as_text=True))
    page = client.get("/app" + _fill(data.draw(st.sampled_from(PAGE_ROUTES)), number, word),
                      query_string={**query, "shop": SHOP_A, "id_token": _token_of_a()})
    assert page.status_code < 500, page.get_data(as_text=True)[:500]
    assert not B_MARKS.search(page.get_data(as_text=True))
    assert _fingerprint_of_b(shops) == before
    if number in b_ids["cases" if "/cases/" in rule else "products"] and "<int" in rule:
        assert queues.queue("default").count + queues.queue("notifications").count == jobs_before


def _fingerprint_of_b(shops) -> tuple:
    db.session().expire_all()
    session = db.session()
    cases = session.execute(select(StockoutCase.id, StockoutCase.status, StockoutCase.choice, StockoutCase.closed_at)
                            .where(StockoutCase.shop_id == shops.b.id).order_by(StockoutCase.id)).all()
    products = session.execute(select(ProductState.id, ProductState.leave_alone, ProductState.state)
                               .where(ProductState.shop_id == shops.b.id).order_by(ProductState.id)).all()
    return tuple(cases), tuple(products)


def test_a_page_asked_for_shop_b_with_shop_as_token_bounces(client, shops):
    for rule in PAGE_ROUTES:
        response = client.get("/app" + _fill(rule, shops.case_b.id, "x"),
                              query_string={"shop": SHOP_B, "id_token": _token_of_a()})
        assert response.status_code == 302 and not B_MARKS.search(response.get_data(as_text=True))


@HOSTILE
@given(query=st.dictionaries(st.sampled_from(["shop", "host", "shopify-reload", "id_token", "embedded"]),
                             st.one_of(header_text, st.sampled_from(["[x]", "https://[::1", "a.myshopify.com:99999",
                                                                     "//evil.example/app", "/app\\@evil"])),
                             max_size=4))
def test_the_bounce_page_never_fails_and_never_reloads_off_the_app(client, shops, query):
    response = client.get("/app/session-token", query_string=query)
    assert response.status_code == 200
    reload_to = re.search(r'data-reload="([^"]*)"', response.get_data(as_text=True)).group(1)
    assert reload_to.startswith("/app") and not reload_to.startswith("//")
