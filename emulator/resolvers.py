"""The one registry of everything the emulator models, built on first use."""
from functools import lru_cache

from . import (discounts, metafields, mutations_inventory, mutations_order_edits, mutations_orders,
               mutations_products, resolvers_common, resolvers_customers, resolvers_inventory, resolvers_line_discounts,
               resolvers_orders, resolvers_products, resolvers_shop, subscriptions)
from .registry import Registry

_MODULES = (resolvers_common, resolvers_shop, resolvers_products, resolvers_inventory, resolvers_orders,
            resolvers_customers, mutations_products, mutations_inventory, mutations_orders, mutations_order_edits,
            resolvers_line_discounts, metafields, discounts, subscriptions)


@lru_cache(maxsize=1)
def registry() -> Registry:
    reg = Registry()
    for module in _MODULES:
        module.register(reg)
    return reg
