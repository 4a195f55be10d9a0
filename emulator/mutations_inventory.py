"""inventoryAdjustQuantities and inventorySetQuantities, with compare-and-swap and reason checks."""
from graphql import GraphQLError

from . import gids, inventory
from .inputs import refuse_unsupported
from .payload import Payload, user_error
from .resolvers_inventory import ZERO_STATES

REASONS = ("correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
           "movement_received", "movement_canceled", "other", "promotion", "quality_control", "received",
           "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
           "shrinkage")
LIMIT = 1_000_000_000


def register(reg) -> None:
    reg.fields("Mutation", scope="write_inventory", inventoryAdjustQuantities=adjust_quantities,
               inventorySetQuantities=set_quantities)
    reg.attrs("InventoryAdjustQuantitiesPayload", "inventoryAdjustmentGroup", "userErrors")
    reg.attrs("InventorySetQuantitiesPayload", "inventoryAdjustmentGroup", "userErrors")
    reg.attrs("InventoryAdjustmentGroup", "id", "createdAt", "reason", "referenceDocumentUri")
    reg.fields("InventoryAdjustmentGroup", changes=group_changes)
    reg.attrs("InventoryChange", "name", "delta", "quantityAfterChange", "item", "location", "ledgerDocumentUri")


def adjust_quantities(obj, info, input):
    return _run(info, input, "changes", absolute=False)


def set_quantities(obj, info, input):
    return _run(info, input, "quantities", absolute=True)


def _run(info, data: dict, list_key: str, *, absolute: bool) -> Payload:
    store, shop = info.context.store, info.context.shop
    input_type = "InventorySetQuantitiesInput" if absolute else "InventoryAdjustQuantitiesInput"
    refuse_unsupported(info, data, input_type, {"reason", "name", "referenceDocumentUri", list_key})
    errors = _check_header(data, absolute)
    deltas, seen = [], set()
    for index, entry in enumerate(data[list_key]):
        where = ["input", list_key, index]
        level, problem = _level(shop, entry, where, absolute)
        if problem:
            errors.append(problem)
            continue
        key = (level.item_id, level.location_id)
        if absolute and key in seen:
            errors.append(user_error(where, "The combination of inventoryItemId and locationId must be unique.",
                                     "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"))
            continue
        seen.add(key)
        current = level.available if data["name"] == "available" else level.on_hand
        delta = entry["quantity"] - current if absolute else entry["delta"]
        problem = _check_amount(entry, where, current, current + delta, absolute)
        if problem:
            errors.append(problem)
            continue
        deltas.append((level, delta, entry.get("ledgerDocumentUri")))
    if errors:
        return Payload(inventoryAdjustmentGroup=None, userErrors=errors)
    inventory.apply(store, shop, [inventory.Change(lv.item_id, lv.location_id, available=d) for lv, d, _ in deltas])
    return Payload(inventoryAdjustmentGroup=_group(store, shop, data, deltas), userErrors=[])


def _check_header(data: dict, absolute: bool) -> list:
    code_prefix = "INVALID_NAME" if absolute else "INVALID_QUANTITY_NAME"
    name = data["name"]
    if name in ZERO_STATES:
        raise GraphQLError(f"emulator does not support adjusting the '{name}' quantity")
    errors = []
    if name not in ("available", "on_hand"):
        errors.append(user_error(["input", "name"], "The quantity name must be either 'available' or 'on_hand'.",
                                 code_prefix))
    if data["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], f"The specified reason is invalid. Valid values: "
                                                      f"{', '.join(REASONS)}.", "INVALID_REASON"))
    uri = data.get("referenceDocumentUri")
    if uri is not None and ":" not in uri.strip(":"):
        errors.append(user_error(["input", "referenceDocumentUri"], "The reference document URI is invalid.",
                                 "INVALID_REFERENCE_DOCUMENT"))
    return errors


def _level(shop, entry: dict, where: list, absolute: bool):
    if "changeFromQuantity" not in entry:
        return None, user_error(where + ["changeFromQuantity"], "changeFromQuantity is required: pass the quantity "
                                "you expect, or null to skip the compare-and-swap check.",
                                "COMPARE_QUANTITY_REQUIRED" if absolute else None)
    item_id = gids.number(entry["inventoryItemId"], "InventoryItem")
    if item_id not in shop.inventory_items:
        return None, user_error(where + ["inventoryItemId"], "The specified inventory item could not be found.",
                                "INVALID_INVENTORY_ITEM")
    location_id = gids.number(entry["locationId"], "Location")
    if location_id not in shop.locations:
        return None, user_error(where + ["locationId"], "The specified location could not be found.",
                                "INVALID_LOCATION")
    level = shop.levels.get((item_id, location_id))
    if level is None:
        return None, user_error(where + ["locationId"], "The specified inventory item is not stocked at the "
                                                        "location.", "ITEM_NOT_STOCKED_AT_LOCATION")
    return level, None


def _check_amount(entry: dict, where: list, current: int, after: int, absolute: bool):
    expected = entry["changeFromQuantity"]
    if expected is not None and expected != current:
        return user_error(where + ["changeFromQuantity"], f"The quantity has changed: expected {expected}, "
                                                          f"found {current}.", "CHANGE_FROM_QUANTITY_STALE")
    if absolute and entry["quantity"] < 0:
        return user_error(where + ["quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE")
    if after > LIMIT:
        return user_error(where, f"The quantity can't be higher than {LIMIT:,}.", "INVALID_QUANTITY_TOO_HIGH")
    if after < -LIMIT:
        return user_error(where, f"The quantity can't be lower than -{LIMIT:,}.", "INVALID_QUANTITY_TOO_LOW")
    return None


def _group(store, shop, data: dict, deltas: list) -> dict:
    changes = []
    for level, delta, ledger in deltas:
        item, location = shop.inventory_items[level.item_id], shop.locations[level.location_id]
        changes.append({"name": "available", "delta": delta, "quantityAfterChange": level.available,
                        "item": item, "location": location, "ledgerDocumentUri": ledger})
        changes.append({"name": "on_hand", "delta": delta, "quantityAfterChange": level.on_hand,
                        "item": item, "location": location, "ledgerDocumentUri": ledger})
    return {"id": gids.gid("InventoryAdjustmentGroup", store.new_id()), "createdAt": store.now(),
            "reason": data["reason"], "referenceDocumentUri": data.get("referenceDocumentUri"), "changes": changes}


def group_changes(group, info, inventoryItemIds=None, locationIds=None, quantityNames=None) -> list:
    def keep(change):
        return ((inventoryItemIds is None or gids.gid("InventoryItem", change["item"].id) in inventoryItemIds)
                and (locationIds is None or gids.gid("Location", change["location"].id) in locationIds)
                and (quantityNames is None or change["name"] in quantityNames))
    return [change for change in group["changes"] if keep(change)]
