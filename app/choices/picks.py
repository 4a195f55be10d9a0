"""Substitutes picked per short line (an order with several short lines): their keys and the cover split (pure).

Keys: `substitute:<variant gid>` when one line is short (one tap per substitute); with several short lines each
line's candidates are `substitute:<variant number>@<line number>`, and the customer's set of picks becomes one
option `substitute:<v>@<l>+<v>@<l>…`, carried out as one order edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

PREFIX = "substitute:"
# Keys live in a 300-character column; a pick takes at most ~40, so this many lines always fit.
MAX_PICKED_LINES = 6


def number(gid: str | None) -> str:
    """The numeric tail of a GID (`gid://shopify/LineItem/12` → `12`)."""
    return (gid or "").rsplit("/", 1)[-1].split("?")[0]


def pick_key(variant_gid: str, line_gid: str | None) -> str:
    """The key of one line's candidate."""
    return f"{PREFIX}{number(variant_gid)}@{number(line_gid)}"


def combined_key(pick_keys: Sequence[str]) -> str:
    """The key of a whole set of picks, in the order given (the order of the case's lines)."""
    return PREFIX + "+".join(key.removeprefix(PREFIX) for key in pick_keys)


def picks_in(key: str) -> list[tuple[str, str]]:
    """(variant number, line number) of each pick in a pick or combined key; [] for any other key."""
    if not key.startswith(PREFIX) or "@" not in key:
        return []
    pairs = [part.split("@", 1) for part in key.removeprefix(PREFIX).split("+")]
    return [(variant, line) for variant, line in pairs]


def is_line_pick(key: str) -> bool:
    """One line's candidate: only part of a choice, never chosen on its own."""
    return len(picks_in(key)) == 1


def is_combined(key: str) -> bool:
    """A whole set of picks, made when the customer chose them."""
    return len(picks_in(key)) > 1


def allocate_cover(covered: Decimal, differences: Sequence[Decimal]) -> list[Decimal]:
    """Split what the shop covers over the dearer lines, in order, each at most its own extra cost."""
    left = max(covered, Decimal(0))
    shares = []
    for difference in differences:
        share = min(left, max(difference, Decimal(0)))
        shares.append(share)
        left -= share
    return shares
