"""App Bridge session (ID) tokens: minting them for tests and the demo, verifying them for token exchange."""
import secrets
import time
import uuid
from datetime import datetime
from urllib.parse import urlparse

import jwt

def mint(shop: str, client_id: str, secret: str, *, user_id: int | str = 1, lifetime: int = 60,
         now: float | datetime | None = None, **overrides) -> str:
    """An HS256 ID token as App Bridge issues it; overrides replace claims (None removes one)."""
    issued = _epoch(now)
    claims = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": client_id, "sub": str(user_id),
              "exp": issued + lifetime, "nbf": issued, "iat": issued, "jti": str(uuid.uuid4()),
              "sid": secrets.token_hex(16)}
    for key, value in overrides.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return jwt.encode(claims, secret, algorithm="HS256")


def _epoch(now) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, datetime):
        return int(now.timestamp())
    return int(now)


class InvalidSessionToken(Exception):
    """The subject token cannot be trusted for this shop and app."""


def verify(token: str, *, shop: str, client_id: str, keys: tuple[str, ...], now: float,
           leeway: float = 5.0) -> dict:
    """The claims if `token` is signed by one of the app's secrets, current, for this app and this shop."""
    last_error = None
    for secret in keys:
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], audience=client_id, leeway=leeway,
                                options={"require": ["iss", "dest", "aud", "sub", "exp", "nbf"],
                                         "verify_exp": False, "verify_nbf": False, "verify_iat": False})
            break
        except jwt.InvalidSignatureError as error:
            last_error = error
        except jwt.PyJWTError as error:
            raise InvalidSessionToken(str(error)) from None
    else:
        raise InvalidSessionToken(str(last_error))
    _check_times(claims, now, leeway)
    dest = urlparse(claims["dest"]).hostname
    issuer = urlparse(claims["iss"]).hostname
    if dest != shop or issuer != shop:
        raise InvalidSessionToken("token was issued for another shop")
    return claims


def _check_times(claims: dict, now: float, leeway: float) -> None:
    """Judge exp/nbf against the emulator's clock, which tests may move."""
    if claims["exp"] + leeway <= now:
        raise InvalidSessionToken("token has expired")
    if claims["nbf"] - leeway > now:
        raise InvalidSessionToken("token is not yet valid")
