"""What a customer's SMS reply asks for: the carrier-standard STOP and START words, in English and Chinese."""

from __future__ import annotations

import unicodedata

# Twilio's standard opt-out words, plus the Chinese carriers' 退订 / 退訂 / TD / T.
OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "退订", "退訂", "td", "t"}
)
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
_EDGE_PUNCTUATION = " \t\r\n.!?,;:'\"。！？，；：、"


def normalized_reply(body: str) -> str:
    """The reply as one comparable word: full-width folded to half-width, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", body or "").strip(_EDGE_PUNCTUATION).casefold()


def is_opt_out(body: str) -> bool:
    """Whether the whole reply is an opt-out word ("STOP", "ｓｔｏｐ", " 退订 ", "TD")."""
    return normalized_reply(body) in OPT_OUT_WORDS


def is_opt_in(body: str) -> bool:
    """Whether the whole reply asks to receive messages again ("START", "UNSTOP")."""
    return normalized_reply(body) in OPT_IN_WORDS
