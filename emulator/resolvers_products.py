"""Products, variants and metafields as the Admin API shows them."""
import hashlib
import json
import re

from graphql import GraphQLError

from . import gids
from .connections import paginate
from .resolvers_common import connection, count, gid_of, legacy_id
from .search import predicate

PRODUCT_SORTS = {"ID": lambda p, s: (p.id,), "TITLE": lambda p, s: (p.title.lower(), p.id),
                 "UPDATED_AT": lambda p, s: (p.updated_at.timestamp(), p.id),
                 "CREATED_AT": lambda p, s: (p.created_at.timestamp(), p.id),
                 "VENDOR": lambda p, s: (p.vendor.lower(), p.id),
                 "PRODUCT_TYPE": lambda p, s: (p.product_type.lower(), p.id),
                 "INVENTORY_TOTAL": lambda p, s: (total_inventory(s, p), p.id)}
VARIANT_SORTS = {"ID": lambda v, s: (v.id,), "SKU": lambda v, s: (v.sku or "", v.id),
                 "TITLE": lambda v, s: (v.title.lower(), v.id), "POSITION": lambda v, s: (v.position, v.id),
                 "INVENTORY_QUANTITY": lambda v, s: (s.variant_available(v), v.id)}


def register(reg) -> None:
    reg.fields("QueryRoot", scope="read_products", product=product, products=products,
               productVariant=product_variant, productVariants=product_variants)
    reg.attrs("Product", "title", "handle", "status", "vendor", "productType", "createdAt", "updatedAt", "tags",
              "descriptionHtml")
    reg.fields("Product", id=gid_of("Product"), legacyResourceId=legacy_id, variants=variants,
               variantsCount=lambda p, info: count(len(p.variant_ids)), description=description,
               totalInventory=lambda p, info: total_inventory(info.context.shop, p),
               tracksInventory=lambda p, info: True, hasOnlyDefaultVariant=has_only_default_variant,
               publishedOnPublication=published_on, publishedAt=published_at, onlineStoreUrl=online_store_url,
               metafield=metafield, metafields=metafields)
    reg.attrs("ProductVariant", "title", "sku", "price", "compareAtPrice", "barcode", "inventoryPolicy", "position",
              "createdAt", "updatedAt")
    reg.fields("ProductVariant", id=gid_of("ProductVariant"), legacyResourceId=legacy_id,
               displayName=lambda v, info: f"{_product(v, info).title} - {v.title}",
               inventoryQuantity=lambda v, info: info.context.shop.variant_available(v),
               product=_product, inventoryItem=lambda v, info: info.context.shop.inventory_items[v.inventory_item_id],
               selectedOptions=selected_options, availableForSale=available_for_sale,
               metafield=metafield, metafields=metafields)
    reg.attrs("SelectedOption", "name", "value")
    connection(reg, "Product")
    connection(reg, "ProductVariant")
    reg.attrs("Metafield", "namespace", "key", "value", "type", "createdAt", "updatedAt")
    reg.fields("Metafield", id=gid_of("Metafield"), legacyResourceId=legacy_id, jsonValue=json_value,
               compareDigest=compare_digest, ownerType=lambda m, info: _owner_type(m),
               owner=lambda m, info: info.context.shop.find(m.owner_gid))
    connection(reg, "Metafield")


def _product(variant, info):
    return info.context.shop.products[variant.product_id]


def total_inventory(shop, product) -> int:
    return sum(shop.variant_available(shop.variants[v]) for v in product.variant_ids)


def product(obj, info, id):
    return info.context.shop.products.get(gids.number(id, "Product"))


def products(obj, info, first=None, after=None, last=None, before=None, reverse=False, sortKey="ID", query=None):
    shop = info.context.shop
    if sortKey not in PRODUCT_SORTS:
        raise GraphQLError(f"emulator does not support products sortKey {sortKey}")
    test = predicate(query, {
        None: (lambda p: p.title, "contains"), "title": (lambda p: p.title, "text"),
        "status": (lambda p: p.status, "one_of"), "tag": (lambda p: p.tags, "list"),
        "product_type": (lambda p: p.product_type, "one_of"), "vendor": (lambda p: p.vendor, "text"),
        "handle": (lambda p: p.handle, "one_of"), "id": (lambda p: p.id, "id"),
        "sku": (lambda p: [shop.variants[v].sku or "" for v in p.variant_ids], "list"),
        "updated_at": (lambda p: p.updated_at, "datetime"), "created_at": (lambda p: p.created_at, "datetime"),
        "inventory_total": (lambda p: total_inventory(shop, p), "number"),
    }, "products")
    key = lambda p: PRODUCT_SORTS[sortKey](p, shop)  # noqa: E731
    found = sorted((p for p in shop.products.values() if test(p)), key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def product_variant(obj, info, id):
    return info.context.shop.variants.get(gids.number(id, "ProductVariant"))


def product_variants(obj, info, first=None, after=None, last=None, before=None, reverse=False, sortKey="ID",
                     query=None):
    shop = info.context.shop
    if sortKey not in VARIANT_SORTS:
        raise GraphQLError(f"emulator does not support productVariants sortKey {sortKey}")
    owner = lambda v: shop.products[v.product_id]  # noqa: E731
    test = predicate(query, {
        "sku": (lambda v: v.sku, "text"), "product_id": (lambda v: v.product_id, "id"), "id": (lambda v: v.id, "id"),
        "title": (lambda v: v.title, "text"), "updated_at": (lambda v: v.updated_at, "datetime"),
        "inventory_quantity": (lambda v: shop.variant_available(v), "number"),
        "product_ids": (lambda v: v.product_id, "one_of"),
        "product_type": (lambda v: owner(v).product_type, "one_of"),
        "product_status": (lambda v: owner(v).status, "one_of"), "vendor": (lambda v: owner(v).vendor, "one_of"),
    }, "productVariants")
    key = lambda v: VARIANT_SORTS[sortKey](v, shop)  # noqa: E731
    found = sorted((v for v in shop.variants.values() if test(v)), key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def variants(product, info, first=None, after=None, last=None, before=None, reverse=False, sortKey="POSITION"):
    shop = info.context.shop
    if sortKey not in VARIANT_SORTS:
        raise GraphQLError(f"emulator does not support variants sortKey {sortKey}")
    key = lambda v: VARIANT_SORTS[sortKey](v, shop)  # noqa: E731
    found = sorted((shop.variants[v] for v in product.variant_ids), key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def description(product, info, truncateAt=None):
    text = re.sub(r"<[^>]+>", "", product.description_html)
    return text[:truncateAt] if truncateAt else text


def has_only_default_variant(product, info) -> bool:
    shop = info.context.shop
    return len(product.variant_ids) == 1 and shop.variants[product.variant_ids[0]].title == "Default Title"


def published_on(product, info, publicationId):
    number = gids.number(publicationId, "Publication")
    if number not in info.context.shop.publications:
        raise GraphQLError(f"Publication does not exist: {publicationId}", extensions={"code": "NOT_FOUND"})
    return number in product.published_at


def published_at(product, info):
    return product.published_at.get(info.context.shop.online_store().id)


def online_store_url(product, info):
    shop = info.context.shop
    visible = product.status == "ACTIVE" and shop.online_store().id in product.published_at
    return f"https://{shop.host}/products/{product.handle}" if visible else None


def selected_options(variant, info) -> list[dict]:
    names = _product(variant, info).option_names
    return [{"name": name, "value": value} for name, value in zip(names, variant.options)]


def available_for_sale(variant, info) -> bool:
    shop = info.context.shop
    return variant.inventory_policy == "CONTINUE" or shop.variant_available(variant) > 0


def metafield(owner, info, key, namespace=None):
    namespace = namespace or _app_namespace(info)
    number = owner.metafields.get((namespace, key))
    return info.context.shop.metafields.get(number) if number else None


def metafields(owner, info, namespace=None, keys=None, first=None, after=None, last=None, before=None, reverse=False):
    shop = info.context.shop
    found = [shop.metafields[n] for (ns, key), n in owner.metafields.items()
             if (namespace is None or ns == namespace) and (keys is None or f"{ns}.{key}" in keys)]
    found.sort(key=lambda m: m.id)
    return paginate(found, lambda m: (m.id,), first=first, after=after, last=last, before=before, reverse=reverse)


def _app_namespace(info) -> str:
    app = info.context.store.app
    return f"app--{app.id if app else 0}"


def json_value(field, info):
    if field.type in ("json", "money", "rating", "dimension", "volume", "weight") or field.type.startswith("list."):
        return json.loads(field.value)
    if field.type == "number_integer":
        return int(field.value)
    if field.type == "boolean":
        return field.value == "true"
    return field.value


def compare_digest(field, info) -> str:
    return hashlib.sha256(f"{field.value}|{field.updated_at.isoformat()}".encode()).hexdigest()


def _owner_type(field) -> str:
    kind = gids.split(field.owner_gid)[0]
    return {"Product": "PRODUCT", "ProductVariant": "PRODUCTVARIANT", "Customer": "CUSTOMER",
            "Order": "ORDER", "Shop": "SHOP"}[kind]
