"""Shopify search syntax (`updated_at:>='2026-11-01' status:active tag:sale`) as record predicates."""
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from graphql import GraphQLError

from .clock import parse_iso

_TERM = re.compile(r"""\s*(?P<neg>-|NOT\s+)?(?:(?P<field>[a-z_]+):(?P<op><=|>=|<|>|=)?)?"""
                   r"""(?P<value>'[^']*'|"[^"]*"|[^\s]+)""")


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str
    negate: bool


def parse(query: str | None) -> list[Term]:
    """Split a search string into terms; AND is implicit, OR is refused rather than misread."""
    terms, text, position = [], (query or "").strip(), 0
    while position < len(text):
        match = _TERM.match(text, position)
        if not match or match.end() == position:
            raise GraphQLError(f"emulator cannot parse search query {query!r}")
        position = match.end()
        value = match["value"]
        if value == "AND" and not match["field"]:
            continue
        if value == "OR" and not match["field"]:
            raise GraphQLError("emulator does not support OR in search queries")
        terms.append(Term(match["field"], match["op"] or "=", value.strip("'\""), bool(match["neg"])))
    return terms


def predicate(query: str | None, fields: dict[str, tuple[Callable, str]], resource: str) -> Callable:
    """A test `record -> bool` for `query`; `fields` maps a search field to (getter, kind); None is free text.
    Kinds: text (exact, `*` suffix for a prefix), one_of (comma-separated texts), contains, list (any element
    equal), number, datetime, id."""
    checks = []
    for term in parse(query):
        if term.field not in fields:
            label = term.field if term.field else "free text"
            raise GraphQLError(f"emulator does not support search field '{label}' on {resource}")
        getter, kind = fields[term.field]
        checks.append((term, getter, _comparer(kind, term)))
    return lambda record: all(compare(getter(record)) != term.negate for term, getter, compare in checks)


def _comparer(kind: str, term: Term) -> Callable:
    if kind == "datetime":
        return _ordered(parse_iso(term.value), term.op)
    if kind == "number":
        try:
            return _ordered(Decimal(term.value), term.op)
        except InvalidOperation:
            raise GraphQLError(f"Invalid number '{term.value}' in search query") from None
    if kind == "id":
        number = term.value.rsplit("/", 1)[-1]
        if not number.isdigit():
            raise GraphQLError(f"Invalid id '{term.value}' in search query")
        return _ordered(int(number), term.op)
    if kind == "contains":
        wanted = term.value.lower()
        return lambda value: value is not None and wanted in str(value).lower()
    if kind == "list":
        wanted = term.value.lower()
        return lambda values: any(v.lower() == wanted for v in values)
    if kind == "one_of":
        return _one_of(term.value)
    return _text(term.value.lower())


def _ordered(target, op: str) -> Callable:
    operations = {"=": lambda v: v == target, ">": lambda v: v > target, ">=": lambda v: v >= target,
                  "<": lambda v: v < target, "<=": lambda v: v <= target}
    return lambda value: value is not None and operations[op](value)


def _one_of(value: str) -> Callable:
    """Filters Shopify documents as "a comma-separated list": `product_type:Tees,Hoodies` matches either."""
    tests = [_text(part.strip().lower()) for part in value.split(",") if part.strip()]
    return lambda found: any(test(found) for test in tests)


def _text(wanted: str) -> Callable:
    if wanted.endswith("*"):
        prefix = wanted[:-1]
        return lambda value: value is not None and str(value).lower().startswith(prefix)
    return lambda value: value is not None and str(value).lower() == wanted
