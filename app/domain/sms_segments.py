"""How many SMS segments a text costs, per GSM 03.38 and UCS-2."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The GSM 03.38 default alphabet; "\x1b" (escape) is left out because it only introduces extension characters.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as escape + code, so it costs two septets.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_LIMIT = {"GSM-7": 160, "UCS-2": 70}
PART_LIMIT = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SegmentInfo:
    """The encoding a text needs, its length in that encoding's units, and the segments it costs."""

    encoding: Literal["GSM-7", "UCS-2"]
    characters: int
    segments: int


def is_gsm7(text: str) -> bool:
    """Whether every character has a GSM 03.38 encoding."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def _unit_costs(text: str, encoding: str) -> list[int]:
    if encoding == "GSM-7":
        return [2 if char in GSM_EXTENSION else 1 for char in text]
    # Characters outside the Basic Multilingual Plane (most emoji) take a UTF-16 surrogate pair.
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _parts(costs: list[int], capacity: int) -> int:
    """Pack units into parts without splitting an escape pair or a surrogate pair, as senders do."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            parts, used = parts + 1, 0
        used += cost
    return parts


def count_segments(text: str) -> SegmentInfo:
    """The encoding, unit count and segment count of an SMS body."""
    encoding: Literal["GSM-7", "UCS-2"] = "GSM-7" if is_gsm7(text) else "UCS-2"
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if units == 0:
        return SegmentInfo(encoding, 0, 0)
    if units <= SINGLE_LIMIT[encoding]:
        return SegmentInfo(encoding, units, 1)
    return SegmentInfo(encoding, units, _parts(costs, PART_LIMIT[encoding]))


# Typographic characters that would force an English SMS into UCS-2 (70 characters a segment).
_GSM_FRIENDLY = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "–": "-", "—": "-",
     "―": "-", "•": "-", "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": ""}
)


def gsm_friendly(text: str) -> str:
    """The text with typographic quotes, dashes and spaces replaced by their GSM 03.38 look-alikes."""
    return text.translate(_GSM_FRIENDLY)
