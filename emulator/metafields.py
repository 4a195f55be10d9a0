"""metafieldsSet (typed values on products, variants, customers and orders, all-or-nothing, at most 25) and
metafieldsDelete."""
import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from graphql import GraphQLError

from . import gids
from .clock import parse_iso
from .execution import require_scope
from .model import Metafield
from .payload import Payload, user_error
from .resolvers_products import compare_digest

MAX_PER_CALL = 25
OWNER_SCOPES = {"Product": "write_products", "ProductVariant": "write_products", "Customer": "write_customers",
                "Order": "write_orders"}
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def register(reg) -> None:
    reg.fields("Mutation", metafieldsSet=metafields_set, metafieldsDelete=metafields_delete)
    reg.attrs("MetafieldsSetPayload", "metafields", "userErrors")
    reg.attrs("MetafieldsDeletePayload", "deletedMetafields", "userErrors")
    reg.attrs("MetafieldIdentifier", "ownerId", "namespace", "key")


def _check_owners(info, metafields: list[dict]) -> None:
    for entry in metafields:
        kind = gids.split(entry["ownerId"])[0]
        if kind not in OWNER_SCOPES:
            raise GraphQLError(f"emulator does not support metafields on a {kind}")
        require_scope(info.context.scopes, OWNER_SCOPES[kind], info.field_name)


def metafields_set(obj, info, metafields):
    if len(metafields) > MAX_PER_CALL:
        raise GraphQLError(f"The input array size of {len(metafields)} is greater than the maximum allowed of "
                           f"{MAX_PER_CALL}.", extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"})
    _check_owners(info, metafields)
    app = info.context.store.app
    saved, errors = set_metafields(info.context.store, info.context.shop, metafields,
                                   f"app--{app.id if app else 0}")
    return Payload(metafields=saved if not errors else None, userErrors=errors)


def metafields_delete(obj, info, metafields):
    """Delete by owner, namespace and key; an identifier that names no metafield comes back as null."""
    if not metafields:
        return Payload(deletedMetafields=None,
                       userErrors=[user_error(["metafields"], "At least one identifier must be specified.")])
    _check_owners(info, metafields)
    shop, deleted = info.context.shop, []
    for entry in metafields:
        owner = shop.find(entry["ownerId"])
        number = owner.metafields.pop((entry["namespace"], entry["key"]), None) if owner is not None else None
        if number is None:
            deleted.append(None)
            continue
        shop.metafields.pop(number, None)
        deleted.append({"ownerId": entry["ownerId"], "namespace": entry["namespace"], "key": entry["key"]})
    return Payload(deletedMetafields=deleted, userErrors=[])


def set_metafields(store, shop, entries: list[dict], default_namespace: str):
    """(saved metafields, userErrors); nothing is written unless every entry is valid."""
    errors, plans = [], []
    for index, entry in enumerate(entries):
        plan, problem = _plan(shop, entry, index, default_namespace)
        if problem:
            errors.append(problem)
        else:
            plans.append(plan)
    if errors:
        return [], errors
    now = store.now()
    saved = []
    for owner, namespace, key, value, kind in plans:
        number = owner.metafields.get((namespace, key))
        field = shop.metafields.get(number) if number else None
        if field is None:
            field = Metafield(id=store.new_id(), owner_gid=gids.gid(owner.typename, owner.id), namespace=namespace,
                              key=key, value=value, type=kind, created_at=now, updated_at=now)
            shop.metafields[field.id] = field
            owner.metafields[(namespace, key)] = field.id
        else:
            field.value, field.updated_at = value, now
        saved.append(field)
    return saved, []


def _plan(shop, entry: dict, index: int, default_namespace: str):
    where = ["metafields", str(index)]

    def fail(name, message, code):
        error = user_error(where + [name], message, code)
        error["elementIndex"] = index
        return None, error

    owner = shop.find(entry["ownerId"])
    if owner is None:
        return fail("ownerId", "Owner does not exist.", "INVALID")
    namespace = entry.get("namespace") or default_namespace
    if not 3 <= len(namespace) <= 255:
        return fail("namespace", "Namespace is too short (minimum is 3 characters)"
                    if len(namespace) < 3 else "Namespace is too long (maximum is 255 characters)",
                    "TOO_SHORT" if len(namespace) < 3 else "TOO_LONG")
    key = entry["key"]
    if not 2 <= len(key) <= 64 or not _KEY.match(key):
        return fail("key", "Key must be 2-64 characters of letters, digits, '-' and '_'.", "INVALID")
    number = owner.metafields.get((namespace, key))
    existing = shop.metafields.get(number) if number else None
    kind = entry.get("type") or (existing.type if existing else None)
    if not kind:
        return fail("type", "Type can't be blank", "BLANK")
    if existing is not None and kind != existing.type:
        return fail("type", f"Type must stay {existing.type} for an existing metafield.", "INVALID_TYPE")
    digest = entry.get("compareDigest")
    if digest is not None and (existing is None or digest != compare_digest(existing, None)):
        return fail("compareDigest", "The resource has been updated since it was loaded.", "STALE_OBJECT")
    problem = check_value(kind, entry["value"])
    if problem:
        return fail("value", problem, "INVALID_VALUE")
    return (owner, namespace, key, entry["value"], kind), None


def check_value(kind: str, value: str) -> str | None:
    """Why `value` is not a valid `kind`, or None; an unmodeled type fails loudly."""
    checks = {
        "single_line_text_field": lambda v: "\n" not in v,
        "multi_line_text_field": lambda v: True,
        "date": lambda v: bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)) and bool(date.fromisoformat(v)),
        "date_time": lambda v: bool(parse_iso(v)),
        "number_integer": lambda v: bool(re.fullmatch(r"-?\d+", v)),
        "number_decimal": lambda v: Decimal(v).is_finite(),
        "boolean": lambda v: v in ("true", "false"),
        "json": lambda v: json.loads(v) is not None or v == "null",
        "url": lambda v: bool(re.match(r"^https?://\S+$", v)),
        "color": lambda v: bool(re.fullmatch(r"#[0-9A-Fa-f]{6}", v)),
    }
    if kind not in checks:
        raise GraphQLError(f"emulator does not support metafield type '{kind}'")
    try:
        valid = checks[kind](value)
    except (ValueError, InvalidOperation):
        valid = False
    return None if valid else f"Value is invalid for type {kind}."
