"""Relay-style pagination over sorted records, with Shopify's argument rules."""
import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from typing import Callable, Sequence

from graphql import GraphQLError

MAX_PAGE = 250


def paginate(items: Sequence, key: Callable, *, first=None, after=None, last=None, before=None,
             reverse=False) -> dict:
    """One page of `items` (ascending by `key`) as a connection: edges, nodes and pageInfo."""
    _check_sizes(first, last)
    keys = [key(item) for item in items]
    lo, hi = 0, len(items)
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is None:
            continue
        point = _decode(cursor)
        if is_after != reverse:
            lo = max(lo, bisect_right(keys, point))
        else:
            hi = min(hi, bisect_left(keys, point))
    window = list(range(lo, max(lo, hi)))
    if reverse:
        window.reverse()
    start, stop = 0, len(window)
    if first is not None:
        stop = min(stop, first)
    if last is not None:
        start = max(start, stop - last)
    page = window[start:stop]
    edges = [{"cursor": _encode(keys[i]), "node": items[i]} for i in page]
    total = len(items)
    position = (lambda i: total - 1 - i) if reverse else (lambda i: i)
    has_before = bool(page) and position(page[0]) > 0
    has_after = bool(page) and position(page[-1]) < total - 1
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {"hasNextPage": has_after, "hasPreviousPage": has_before,
                     "startCursor": edges[0]["cursor"] if edges else None,
                     "endCursor": edges[-1]["cursor"] if edges else None},
    }


def _check_sizes(first, last) -> None:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise GraphQLError(f"Argument '{name}' on Field must be greater than or equal to 0")
        if value is not None and value > MAX_PAGE:
            raise GraphQLError(f"The maximum value for '{name}' is {MAX_PAGE}", extensions={"code": "BAD_REQUEST"})


def whole(items: Sequence, *, first=None, after=None, last=None, before=None, reverse=False) -> dict:
    """A connection over a short fixed list (positions as keys), for nested lists like an order's lines."""
    indexed = list(range(len(items)))
    page = paginate(indexed, lambda i: (i,), first=first, after=after, last=last, before=before, reverse=reverse)
    for edge in page["edges"]:
        edge["node"] = items[edge["node"]]
    page["nodes"] = [edge["node"] for edge in page["edges"]]
    return page


def _encode(key: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode()


def _decode(cursor: str) -> tuple:
    try:
        return tuple(json.loads(base64.urlsafe_b64decode(cursor.encode())))
    except (binascii.Error, ValueError, TypeError):
        raise GraphQLError(f"Invalid cursor '{cursor}'", extensions={"code": "BAD_REQUEST"}) from None
