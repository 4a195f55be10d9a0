"""Value types shared by every resolver module: connections, money, counts, ids, user errors."""
from . import gids


def register(reg) -> None:
    reg.attrs("PageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor")
    reg.attrs("MoneyBag", "shopMoney", "presentmentMoney")
    reg.attrs("MoneyV2", "amount", "currencyCode")
    reg.attrs("Count", "count", "precision")
    reg.attrs("UserError", "field", "message")
    for error_type in ("DiscountUserError",):
        reg.attrs(error_type, "field", "message", "code", "extraInfo")
    reg.attrs("MetafieldsSetUserError", "field", "message", "code", "elementIndex")
    for error_type in ("ProductVariantsBulkUpdateUserError", "InventoryAdjustQuantitiesUserError",
                       "InventorySetQuantitiesUserError", "CustomerEmailMarketingConsentUpdateUserError",
                       "CustomerSmsMarketingConsentError"):
        reg.attrs(error_type, "field", "message", "code")


def connection(reg, node_type: str, connection_type: str | None = None, edge_type: str | None = None) -> None:
    """Register `<T>Connection { edges nodes pageInfo }` and `<T>Edge { cursor node }`."""
    reg.attrs(connection_type or f"{node_type}Connection", "edges", "nodes", "pageInfo")
    reg.attrs(edge_type or f"{node_type}Edge", "cursor", "node")


def gid_of(type_name: str):
    """Resolver for `id` on records that carry an integer `id`."""
    return lambda obj, info: gids.gid(type_name, obj.id)


def legacy_id(obj, info):
    return obj.id


def count(value: int) -> dict:
    return {"count": value, "precision": "EXACT"}


def paging(first=None, after=None, last=None, before=None, reverse=False) -> dict:
    return {"first": first, "after": after, "last": last, "before": before, "reverse": bool(reverse)}
