"""productUpdate, productVariantsBulkUpdate, publishing and tags."""
from graphql import GraphQLError

from . import gids, tags
from .execution import require_scope
from .inputs import refuse_unsupported
from .orders import touch
from .payload import Payload, user_error
from .payloads_catalog import product_payload

PRODUCT_INPUT = {"id", "title", "status", "tags", "vendor", "productType", "handle", "descriptionHtml"}
VARIANT_INPUT = {"id", "price", "compareAtPrice", "inventoryPolicy", "barcode", "inventoryItem"}
ITEM_INPUT = {"sku", "tracked"}


def register(reg) -> None:
    reg.fields("Mutation", scope="write_products", productUpdate=product_update,
               productVariantsBulkUpdate=variants_bulk_update)
    reg.fields("Mutation", scope="write_publications", publishablePublish=publish, publishableUnpublish=unpublish)
    reg.fields("Mutation", tagsAdd=tags_add, tagsRemove=tags_remove)
    reg.attrs("ProductUpdatePayload", "product", "userErrors")
    reg.attrs("ProductVariantsBulkUpdatePayload", "product", "productVariants", "userErrors")
    reg.attrs("PublishablePublishPayload", "publishable", "shop", "userErrors")
    reg.attrs("PublishableUnpublishPayload", "publishable", "shop", "userErrors")
    reg.attrs("TagsAddPayload", "node", "userErrors")
    reg.attrs("TagsRemovePayload", "node", "userErrors")


def _changed(info, product) -> None:
    store, shop = info.context.store, info.context.shop
    product.updated_at = store.now()
    store.emit(shop, "products/update", lambda: product_payload(shop, product))


def product_update(obj, info, product=None):
    shop = info.context.shop
    if product is None:
        raise GraphQLError("productUpdate needs the `product` argument", extensions={"code": "BAD_REQUEST"})
    refuse_unsupported(info, product, "ProductUpdateInput", PRODUCT_INPUT)
    record = shop.products.get(gids.number(product["id"], "Product")) if product.get("id") else None
    if record is None:
        return Payload(product=None, userErrors=[user_error(["id"], "Product does not exist")])
    errors = _product_errors(shop, record, product)
    if errors:
        return Payload(product=record, userErrors=errors)
    for key, attribute in (("title", "title"), ("status", "status"), ("vendor", "vendor"),
                           ("productType", "product_type"), ("handle", "handle"),
                           ("descriptionHtml", "description_html")):
        if product.get(key) is not None:
            setattr(record, attribute, product[key])
    if product.get("tags") is not None:
        record.tags = tags.normalize(product["tags"])
    _changed(info, record)
    return Payload(product=record, userErrors=[])


def _product_errors(shop, record, data: dict) -> list:
    errors = []
    if "title" in data and not (data["title"] or "").strip():
        errors.append(user_error(["title"], "Title can't be blank"))
    handle = data.get("handle")
    if handle and any(p.handle == handle and p.id != record.id for p in shop.products.values()):
        errors.append(user_error(["handle"], f"Handle '{handle}' already in use. Please provide a new handle."))
    if data.get("tags") is not None and tags.too_long(tags.normalize(data["tags"])):
        errors.append(user_error(["tags"], "Product tags is invalid"))
    return errors


def variants_bulk_update(obj, info, productId, variants, allowPartialUpdates=False):
    shop = info.context.shop
    record = shop.products.get(gids.number(productId, "Product"))
    if record is None:
        return Payload(product=None, productVariants=None, userErrors=[
            user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")])
    errors, updates = [], []
    for index, entry in enumerate(variants):
        refuse_unsupported(info, entry, "ProductVariantsBulkInput", VARIANT_INPUT)
        refuse_unsupported(info, entry.get("inventoryItem") or {}, "InventoryItemInput", ITEM_INPUT)
        problem = _variant_error(shop, record, entry, ["variants", index])
        if problem:
            errors.append(problem)
        else:
            updates.append(entry)
    if errors and not allowPartialUpdates:
        return Payload(product=record, productVariants=None, userErrors=errors)
    changed = [_apply_variant(info, shop, entry) for entry in updates]
    if changed:
        _changed(info, record)
    return Payload(product=record, productVariants=changed, userErrors=errors)


def _variant_error(shop, product, entry: dict, where: list):
    if not entry.get("id"):
        return user_error(where + ["id"], "Product variant id is missing", "PRODUCT_VARIANT_ID_MISSING")
    variant = shop.variants.get(gids.number(entry["id"], "ProductVariant"))
    if variant is None or variant.product_id != product.id:
        return user_error(where + ["id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
    for key in ("price", "compareAtPrice"):
        if entry.get(key) is not None and entry[key] < 0:
            return user_error(where + [key], f"{'Price' if key == 'price' else 'Compare at price'} must be "
                                             "greater than or equal to 0", "GREATER_THAN_OR_EQUAL_TO")
    return None


def _apply_variant(info, shop, entry: dict):
    variant = shop.variants[gids.number(entry["id"], "ProductVariant")]
    for key, attribute in (("price", "price"), ("compareAtPrice", "compare_at_price"),
                           ("inventoryPolicy", "inventory_policy"), ("barcode", "barcode")):
        if key in entry and (entry[key] is not None or key in ("compareAtPrice", "barcode")):
            setattr(variant, attribute, entry[key])
    item_input = entry.get("inventoryItem") or {}
    item = shop.inventory_items[variant.inventory_item_id]
    if item_input.get("sku") is not None:
        variant.sku = item.sku = item_input["sku"]
    if item_input.get("tracked") is not None:
        item.tracked = item_input["tracked"]
    variant.updated_at = info.context.store.now()
    return variant


def publish(obj, info, id, input):
    return _set_published(info, id, input, publish=True)


def unpublish(obj, info, id, input):
    return _set_published(info, id, input, publish=False)


def _set_published(info, target_id: str, inputs: list, *, publish: bool) -> Payload:
    shop, now = info.context.shop, info.context.store.now()
    kind = gids.split(target_id)[0]
    if kind != "Product":
        raise GraphQLError(f"emulator does not support publishing a {kind}")
    product = shop.products.get(gids.number(target_id, "Product"))
    if product is None:
        return Payload(publishable=None, shop=shop, userErrors=[user_error(["id"], "Resource does not exist")])
    chosen, errors = [], []
    for index, entry in enumerate(inputs):
        refuse_unsupported(info, entry, "PublicationInput", {"publicationId", "publishDate"})
        number = gids.number(entry["publicationId"], "Publication") if entry.get("publicationId") else None
        if number not in shop.publications:
            errors.append(user_error(["input", index, "publicationId"], "Publication does not exist"))
        elif entry.get("publishDate") and entry["publishDate"] > now:
            raise GraphQLError("emulator does not support scheduled publishing (publishDate in the future)")
        else:
            chosen.append(number)
    if errors:
        return Payload(publishable=product, shop=shop, userErrors=errors)
    before = dict(product.published_at)
    for number in chosen:
        if publish:
            product.published_at.setdefault(number, now)
        else:
            product.published_at.pop(number, None)
    if product.published_at != before:
        _changed(info, product)
    return Payload(publishable=product, shop=shop, userErrors=[])


def tags_add(obj, info, id, tags):
    return _retag(info, id, tags, adding=True)


def tags_remove(obj, info, id, tags):
    return _retag(info, id, tags, adding=False)


_TAG_SCOPES = {"Product": "write_products", "Order": "write_orders", "Customer": "write_customers"}


def _retag(info, target_id: str, values: list, *, adding: bool) -> Payload:
    kind = gids.split(target_id)[0]
    if kind not in _TAG_SCOPES:
        raise GraphQLError(f"emulator does not support tags on a {kind}")
    require_scope(info.context.scopes, _TAG_SCOPES[kind], info.field_name)
    store, shop = info.context.store, info.context.shop
    record = shop.find(target_id)
    if record is None:
        return Payload(node=None, userErrors=[user_error(["id"], f"{kind} does not exist")])
    wanted = tags.normalize(values)
    if adding and tags.too_long(wanted):
        return Payload(node=record, userErrors=[user_error(["tags"], "Tags is invalid")])
    updated = tags.add(record.tags, wanted) if adding else tags.remove(record.tags, wanted)
    if updated != record.tags:
        record.tags = updated
        _announce_retag(info, kind, record)
    return Payload(node=record, userErrors=[])


def _announce_retag(info, kind: str, record) -> None:
    store, shop = info.context.store, info.context.shop
    if kind == "Product":
        _changed(info, record)
    elif kind == "Order":
        touch(store, shop, record)
    else:
        record.updated_at = store.now()
