"""Inventory items, levels per location and their named quantities."""
from graphql import GraphQLError

from . import gids
from .connections import paginate
from .resolvers_common import connection, gid_of, legacy_id
from .search import predicate

ZERO_STATES = ("incoming", "reserved", "damaged", "safety_stock", "quality_control")
QUANTITY_NAMES = ("available", "on_hand", "committed") + ZERO_STATES


def register(reg) -> None:
    reg.fields("QueryRoot", scope="read_inventory", inventoryItem=inventory_item, inventoryLevel=inventory_level)
    reg.attrs("InventoryItem", "sku", "tracked", "createdAt", "updatedAt")
    reg.fields("InventoryItem", id=gid_of("InventoryItem"), legacyResourceId=legacy_id,
               variant=lambda item, info: info.context.shop.variants[item.variant_id],
               inventoryLevels=inventory_levels, inventoryLevel=item_level)
    reg.fields("InventoryLevel", id=lambda lv, info: gids.level_gid(lv.location_id, lv.item_id),
               item=lambda lv, info: info.context.shop.inventory_items[lv.item_id],
               location=lambda lv, info: info.context.shop.locations[lv.location_id],
               quantities=quantities, updatedAt=lambda lv, info: lv.updated_at,
               createdAt=lambda lv, info: lv.created_at, isActive=lambda lv, info: True,
               canDeactivate=lambda lv, info: lv.on_hand == 0 and lv.committed == 0)
    reg.attrs("InventoryQuantity", "id", "name", "quantity", "updatedAt")
    connection(reg, "InventoryLevel")


def inventory_item(obj, info, id):
    return info.context.shop.inventory_items.get(gids.number(id, "InventoryItem"))


def inventory_level(obj, info, id):
    key = gids.level_key(id)
    return info.context.shop.levels.get((key[1], key[0])) if key else None


def inventory_levels(item, info, first=None, after=None, last=None, before=None, reverse=False,
                     includeInactive=False, query=None):
    shop = info.context.shop
    test = predicate(query, {"location_id": (lambda lv: lv.location_id, "id"),
                             "updated_at": (lambda lv: lv.updated_at, "datetime")}, "inventoryLevels")
    found = [level for level in shop.levels_of(item.id) if test(level)]
    key = lambda lv: (lv.location_id,)  # noqa: E731
    found.sort(key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def item_level(item, info, locationId, includeInactive=False):
    return info.context.shop.levels.get((item.id, gids.number(locationId, "Location")))


def quantities(level, info, names) -> list[dict]:
    """The named quantities; the states this emulator never produces are truly zero here."""
    found = []
    for name in names:
        if name not in QUANTITY_NAMES:
            raise GraphQLError(f"The quantity name '{name}' is not valid. Valid names are: "
                               f"{', '.join(QUANTITY_NAMES)}.", extensions={"code": "BAD_REQUEST"})
        value = {"available": level.available, "on_hand": level.on_hand, "committed": level.committed}.get(name, 0)
        found.append({"id": f"gid://shopify/InventoryQuantity/{level.location_id}?inventory_item_id="
                            f"{level.item_id}&name={name}", "name": name, "quantity": value,
                      "updatedAt": level.updated_at})
    return found
