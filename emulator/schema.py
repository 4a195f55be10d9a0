"""The real Admin GraphQL schema, built once per process and version, with Shopify's scalar formats."""
import threading
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from graphql import GraphQLSchema, build_schema

from .clock import iso, parse_iso

_schemas: dict[Path, GraphQLSchema] = {}
_lock = threading.Lock()


def default_shared_dir() -> Path:
    """The team's shared folder: the sibling `shared/` of the repository root."""
    return Path(__file__).resolve().parents[1].parent / "shared"


def schema_file(shared_dir: str | Path, version: str) -> Path:
    return Path(shared_dir) / "shopify" / "admin-schema" / f"admin-{version}.graphql"


def load(shared_dir: str | Path, version: str) -> GraphQLSchema:
    """Build the schema for `version` on first use (about 4 s), then reuse it for the life of the process."""
    path = schema_file(shared_dir, version).resolve()
    with _lock:
        if path not in _schemas:
            schema = build_schema(path.read_text(encoding="utf-8"), assume_valid=True)
            _install_scalars(schema)
            _schemas[path] = schema
        return _schemas[path]


def _install_scalars(schema: GraphQLSchema) -> None:
    """Serialise and parse custom scalars the way Shopify does (strings for money and dates)."""
    scalars = {
        "DateTime": (_serialize_datetime, _parse_datetime),
        "Decimal": (_serialize_decimal, _parse_decimal),
        "Money": (_serialize_money, _parse_decimal),
        "UnsignedInt64": (str, _parse_unsigned),
    }
    for name, (serialize, parse) in scalars.items():
        scalar = schema.get_type(name)
        # graphql-core 3.3 reads the coerce_* attributes; 3.2 reads the older names.
        scalar.serialize = scalar.coerce_output_value = serialize
        scalar.parse_value = scalar.coerce_input_value = parse
        scalar.parse_literal = scalar.coerce_input_literal = _literal(parse)


def _literal(parse):
    def parse_literal(node, variables=None):
        if not hasattr(node, "value"):
            raise ValueError("expected a scalar literal")
        return parse(node.value)
    return parse_literal


def _serialize_datetime(value) -> str:
    return iso(value) if isinstance(value, datetime) else str(value)


def _parse_datetime(value) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"invalid DateTime {value!r}")
    return parse_iso(value)


def _serialize_decimal(value) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text else text + ".0"


def _serialize_money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _parse_decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"invalid decimal {value!r}")
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"invalid decimal {value!r}") from None
    if not parsed.is_finite():
        raise ValueError(f"invalid decimal {value!r}")
    return parsed


def _parse_unsigned(value) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("UnsignedInt64 cannot be negative")
    return number
