"""Coverage-guided fuzzing (atheris) of the webhook edge's pure parts: the HMAC check and the envelope.

Run by tests/fuzz/test_coverage_guided.py; by hand: `python -m tests.fuzz.harnesses.webhook_intake -max_total_time=60`.
Properties: a signature passes exactly when it decodes to the body's HMAC under one of the secrets, and anything
else raises InvalidSignature alone; any headers make an envelope whose key fits its column, and an admission.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import sys

import atheris

with atheris.instrument_imports(include=["webhooks", "jobs", "app"]):
    from webhooks.recording import Envelope, admit, event_key
    from webhooks.signature import InvalidSignature, sign, verify_signature

SECRETS = ("test-client-secret", "the-previous-secret")
HEADERS = ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Event-Id", "Shopify-Webhook-Id",
           "X-Shopify-API-Version", "Shopify-Triggered-At")


def _is_the_hmac(header_value: str, body: bytes) -> bool:
    try:
        given = base64.b64decode(header_value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return any(given == hmac.new(secret.encode(), body, hashlib.sha256).digest() for secret in SECRETS)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    headers = {name: fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 80)) for name in HEADERS
               if fdp.ConsumeBool()}
    mode = fdp.ConsumeIntInRange(0, 2)
    typed = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 90))
    flip_at, flip_to = fdp.ConsumeIntInRange(0, 43), fdp.ConsumeUnicodeNoSurrogates(1)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if mode == 0:
        header_value = typed
    else:
        genuine = sign(body, SECRETS[mode - 1])
        header_value = genuine[:flip_at] + flip_to + genuine[flip_at + 1:]
    try:
        verify_signature(body, header_value, SECRETS)
        accepted = True
    except InvalidSignature:
        accepted = False
    if accepted != _is_the_hmac(header_value, body):
        raise AssertionError(f"signature {header_value!r} accepted={accepted} for body {body[:64]!r}")
    envelope = Envelope.from_headers(headers)
    key = event_key(envelope, body)
    if not key or len(key) > 255:
        raise AssertionError(f"event key {key!r} does not fit its column")
    for installed in (None, False, True):
        if admit(envelope.topic, installed, bool(envelope.event_id or envelope.webhook_id)).status not in (
                "dropped", "ignored", "rejected", "pending"):
            raise AssertionError("unknown admission")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
