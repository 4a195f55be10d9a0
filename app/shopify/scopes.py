"""The access scopes the app asks for: the one list, least privilege, mirrored in shopify.app.toml."""

from __future__ import annotations

REQUIRED_SCOPES: tuple[str, ...] = (
    "read_customers",  # order customer and marketing consent before messaging anyone
    "read_inventory",  # inventory levels and inventory_levels/update
    "read_locales",  # the shop's primary language for messages
    "read_locations",  # which locations the shop sells from
    "write_app_proxy",  # the storefront "notify me" sign-up behind the app proxy
    "write_discounts",  # single-use compensation codes
    "write_order_edits",  # swapping a short line for a substitute
    "write_orders",  # refunds; orders/* webhooks and reconciliation reads
    "write_products",  # presale (inventory policy), status, tags, restock metafield
    "write_publications",  # delisting from and relisting on the Online Store
)


def parse(scope_list: str | None) -> frozenset[str]:
    """Shopify's comma-separated scope string as a set."""
    return frozenset(part.strip() for part in (scope_list or "").split(",") if part.strip())


def missing(granted: frozenset[str] | set[str], required: tuple[str, ...] = REQUIRED_SCOPES) -> list[str]:
    """Required scopes that were not granted; a write_ scope also grants its read_ scope."""
    implied = {s.replace("write_", "read_", 1) for s in granted if s.startswith("write_")}
    have = set(granted) | implied
    return [scope for scope in required if scope not in have]
