"""Typed failures of every conversation with Shopify: jobs retry the transient ones and record the rest."""

from __future__ import annotations


class ShopifyError(Exception):
    """Something Shopify said or did that the caller must handle."""


class ShopifyUnavailable(ShopifyError):
    """Network errors, 429s or 5xx outlasted our retries: transient, retry the job later."""


class HttpError(ShopifyError):
    """An HTTP status that retrying will not fix (402 frozen shop, 403, 404, 423 locked…)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Shopify answered HTTP {status}: {message}")
        self.status = status


class ShopNotInstalled(ShopifyError):
    """The app holds no usable access token for this shop (never installed, or uninstalled)."""


class TokenRefreshFailed(ShopifyError):
    """Shopify refused to refresh the access token: the merchant must open the app again."""


class GraphQLErrors(ShopifyError):
    """The response carried top-level `errors` (a bad document, a missing scope, a cost too high)."""

    def __init__(self, operation: str, errors: list[dict]):
        self.operation = operation
        self.errors = errors
        self.codes = [((e.get("extensions") or {}).get("code") or "") for e in errors]
        messages = "; ".join(str(e.get("message", e)) for e in errors)
        super().__init__(f"{operation} failed: {messages}")


class AccessDenied(GraphQLErrors):
    """The access token lacks a scope the operation needs (code ACCESS_DENIED)."""


class UserErrors(ShopifyError):
    """A mutation ran but Shopify refused the input; `fields` names each offending input path."""

    def __init__(self, operation: str, mutation: str, errors: list[dict]):
        self.operation = operation
        self.mutation = mutation
        self.errors = errors
        self.fields = [".".join(e.get("field") or []) for e in errors]
        self.codes = [e.get("code") for e in errors]
        described = "; ".join(
            f"{'.'.join(e.get('field') or []) or '(no field)'}: {e.get('message', '')}" for e in errors
        )
        super().__init__(f"{mutation} refused the input: {described}")


class InstallRefused(ShopifyError):
    """An install, callback or token exchange was refused; the message says why, for the person installing."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidSessionToken(InstallRefused):
    """The App Bridge session (ID) token is missing, forged, expired or for another app."""

    status = 401
