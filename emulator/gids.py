"""Shopify global ids (`gid://shopify/<Type>/<int>`)."""
import re

from graphql import GraphQLError

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(\?.*)?$")


def gid(type_name: str, number: int) -> str:
    """The global id of one object."""
    return f"gid://shopify/{type_name}/{number}"


def level_gid(location_id: int, item_id: int) -> str:
    """Inventory levels are addressed by location with the item as a query parameter."""
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}"


def split(value: str) -> tuple[str, int, str]:
    """Type, number and query suffix of a GID; a malformed one is a GraphQL error like Shopify's."""
    match = _GID.match(value or "")
    if not match:
        raise GraphQLError(f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"})
    return match.group(1), int(match.group(2)), (match.group(3) or "")[1:]


def number(value: str, type_name: str) -> int | None:
    """The numeric id if the GID names `type_name`, else None (a GID of another type finds nothing)."""
    kind, num, _ = split(value)
    return num if kind == type_name else None


def level_key(value: str) -> tuple[int, int] | None:
    """(location id, inventory item id) of an InventoryLevel GID."""
    kind, location_id, query = split(value)
    match = re.fullmatch(r"inventory_item_id=(\d+)", query)
    if kind != "InventoryLevel" or not match:
        return None
    return location_id, int(match.group(1))
