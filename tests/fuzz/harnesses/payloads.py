"""Coverage-guided fuzzing (atheris) of the webhook payload parsers: any body is a typed fact or RejectedPayload.

Run by tests/fuzz/test_coverage_guided.py; by hand: `python -m tests.fuzz.harnesses.payloads -max_total_time=60
<corpus dir>` (the first byte of an input picks the parser, the rest is the body).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["webhooks", "jobs", "app"]):
    from jobs import payloads
    from jobs.events import parse_payload
    from jobs.handling import RejectedPayload

PARSERS = (payloads.parse_order, payloads.parse_order_edit, payloads.parse_refund, payloads.parse_inventory_level,
           payloads.parse_variant, payloads.parse_product)


def one_input(data: bytes) -> None:
    if not data:
        return
    parser, raw = PARSERS[data[0] % len(PARSERS)], data[1:]
    try:
        parser(parse_payload(raw))
    except RejectedPayload:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
