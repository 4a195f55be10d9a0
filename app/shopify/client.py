"""The one Admin GraphQL client: `client_for(shop).graphql(documents.NAME, **variables) -> data`.

Shopify's own `shopify_app.admin_graphql_request` is not used for the call itself: it gives up on the
first network error, does not wait out THROTTLED responses, drops `extensions.cost` when there are
errors and cannot refresh an expired token; ShopifyAPI's `GraphQL` has no timeout and keeps the
session in class-level state. This client does all of that per shop, with nothing shared.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Callable

import httpx
from flask import current_app

from app import db, queues
from app.config import Settings
from app.models import Shop
from app.shopify import http, tokens
from app.shopify.errors import (
    AccessDenied,
    GraphQLErrors,
    HttpError,
    ShopifyUnavailable,
    ShopNotInstalled,
    UserErrors,
)
from app.shopify.throttle import Cost, Pacer
from app.shopify.tokens import AccessToken

log = logging.getLogger("shopify")

OPERATION = re.compile(r"^\s*(query|mutation)\s+([A-Za-z_]\w*)")
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
MAX_THROTTLED = 20


def client_for(shop: Shop | int) -> "AdminClient":
    """A client for one shop; make one per job or thread, never share it."""
    if isinstance(shop, int):
        row = db.session().get(Shop, shop)
        if row is None:
            raise ShopNotInstalled(f"no shop with id {shop}")
        shop = row
    return AdminClient(shop.id, shop.domain, current_app.config["SETTINGS"], Pacer(queues.redis(), shop.domain))


def operation_name(document: str) -> tuple[str, str]:
    """(kind, name) of a document; anonymous operations are refused."""
    match = OPERATION.match(document)
    if not match:
        raise ValueError("every document must be a named query or mutation (see app/shopify/documents.py)")
    return match.group(1), match.group(2)


class AdminClient:
    """Sends named documents for one shop: paced by cost, retried when transient, errors typed."""

    def __init__(
        self,
        shop_id: int,
        domain: str,
        settings: Settings,
        pacer: Pacer,
        *,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.shop_id, self.domain = shop_id, domain
        self._url = f"https://{domain}/admin/api/{settings.shopify_api_version}/graphql.json"
        self._http = http.make_client(settings)
        self._pacer = pacer
        self._retry_delays = retry_delays
        self._sleep = sleep
        self._token: AccessToken | None = None

    def __enter__(self) -> "AdminClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def graphql(self, document: str, **variables) -> dict:
        """Run a named document; return its `data`, or raise a typed error from app.shopify.errors."""
        kind, operation = operation_name(document)
        if "@idempotent" in document and not variables.get("idempotencyKey"):
            raise ValueError(f"{operation} is @idempotent: pass idempotencyKey, derived from our own record")
        payload = self._send(operation, {"query": document, "variables": variables, "operationName": operation})
        data = payload.get("data") or {}
        if kind == "mutation":
            _raise_user_errors(operation, data)
        return data

    def _send(self, operation: str, body: dict) -> dict:
        failures = throttled = 0
        refreshed = False
        while True:
            token = self._access_token()
            try:
                response, payload, cost = self._post_paced(operation, body, token)
            except httpx.TransportError as exc:
                failures = self._back_off(operation, failures, f"network error ({exc.__class__.__name__})")
                continue
            status = response.status_code
            if status == 401:
                if refreshed:
                    raise ShopNotInstalled(f"Shopify rejects the access token of {self.domain} even after a refresh")
                self._token, refreshed = tokens.refresh(self.shop_id, rejected=token.token), True
                continue
            if status == 429 or status >= 500:
                failures = self._back_off(operation, failures, f"HTTP {status}", _retry_after(response))
                continue
            if status != 200:
                raise HttpError(status, f"{operation} on {self.domain}: {response.text[:200]}")
            errors = payload.get("errors")
            if errors and _is_throttled(errors):
                throttled += 1
                if throttled > MAX_THROTTLED:
                    raise ShopifyUnavailable(f"{operation} on {self.domain} stayed throttled {throttled} times")
                log.info("throttled; waiting for the bucket", extra={"shop": self.domain, "operation": operation})
                if cost.available is None:
                    self._sleep(1.0)  # no bucket figures to pace by: wait a second rather than hammer
                continue
            if errors:
                error_class = AccessDenied if _has_code(errors, "ACCESS_DENIED") else GraphQLErrors
                raise error_class(operation, errors)
            return payload

    def _post_paced(self, operation: str, body: dict, token: AccessToken) -> tuple[httpx.Response, dict, Cost]:
        """One POST inside a reservation on the shop's ledger, which is settled whatever happens."""
        reserved = self._pacer.expected_cost(operation)
        cost, sent = Cost.from_extensions(None), time.monotonic()
        try:
            self._sleep(self._pacer.reserve(reserved))
            sent = time.monotonic()
            response = self._http.post(self._url, json=body, headers={"X-Shopify-Access-Token": token.token})
            payload = _json(response)
            cost = Cost.from_extensions(payload.get("extensions"))
            return response, payload, cost
        finally:
            self._pacer.settle(operation, reserved, cost, age=time.monotonic() - sent)

    def _access_token(self) -> AccessToken:
        if self._token is None or not self._token.fresh(db.utcnow()):
            self._token = tokens.current_token(self.shop_id)
        return self._token

    def _back_off(self, operation: str, failures: int, reason: str, at_least: float = 0.0) -> int:
        """Sleep before the next attempt (jittered, at least Retry-After), or give up as unavailable."""
        if failures >= len(self._retry_delays):
            raise ShopifyUnavailable(f"{operation} on {self.domain}: {reason} after {failures + 1} attempts")
        delay = max(at_least, self._retry_delays[failures] * (1 + random.random() / 4))
        log.warning("retrying", extra={"shop": self.domain, "operation": operation, "reason": reason, "delay": delay})
        self._sleep(delay)
        return failures + 1


def _json(response: httpx.Response) -> dict:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", "0"))
    except ValueError:
        return 1.0


def _has_code(errors: list[dict], code: str) -> bool:
    return any((e.get("extensions") or {}).get("code") == code for e in errors)


def _is_throttled(errors: list[dict]) -> bool:
    return _has_code(errors, "THROTTLED") or any(e.get("message") == "Throttled" for e in errors)


def _raise_user_errors(operation: str, data: dict) -> None:
    for mutation, result in data.items():
        if isinstance(result, dict) and result.get("userErrors"):
            raise UserErrors(operation, mutation, result["userErrors"])
