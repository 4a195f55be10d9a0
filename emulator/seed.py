"""Seeding: demo-apparel.myshopify.com, a clothing shop in CNY on Shanghai time with zh-CN as primary locale."""
import random
from datetime import timedelta
from decimal import Decimal

from .catalog_data import COLOUR_CODES, CUSTOMERS, LOCATIONS, PRODUCTS, STATUS
from .model import Customer, InventoryItem, InventoryLevel, Location, Product, Variant

DEMO_SHOP = "demo-apparel.myshopify.com"
FLASH_SALE_HANDLE = "limited-collab-tee"


def seed_demo(store, domain: str = DEMO_SHOP, *, rng_seed: int = 7) -> dict:
    """Replace `domain`'s catalogue with the demo shop (keeping its install state); no webhooks are sent."""
    rng = random.Random(rng_seed)
    with store.lock:
        previous = store.shops.pop(domain, None)
        shop = store.shop(domain)
        if previous is not None:
            shop.installed, shop.granted_scopes, shop.bucket = (previous.installed, previous.granted_scopes,
                                                                previous.bucket)
        shop.name, shop.email, shop.currency, shop.timezone = "Demo Apparel 示范服饰", "owner@demo-apparel.example", \
            "CNY", "Asia/Shanghai"
        shop.locales = [("zh-CN", True), ("zh-TW", False), ("en", False)]
        shop.primary_host = "shop.demo-apparel.example"
        shop.locations.clear()
        for name, address in LOCATIONS:
            location = Location(store.new_id(), name, dict(address))
            shop.locations[location.id] = location
        started = store.now() - timedelta(days=120)
        for handle, title, kind, price, colours, sizes, tags in PRODUCTS:
            _product(store, shop, rng, started, handle, title, kind, Decimal(price), colours, sizes, tags)
        for index, row in enumerate(CUSTOMERS):
            _customer(store, shop, started + timedelta(days=index), *row)
        return summary(shop)


def _product(store, shop, rng, started, handle, title, kind, price, colours, sizes, tags) -> Product:
    created = started + timedelta(hours=rng.randint(0, 2000))
    product = Product(id=store.new_id(), title=title, handle=handle, vendor="Demo Apparel", product_type=kind,
                      created_at=created, updated_at=created, status=STATUS.get(handle, "ACTIVE"), tags=list(tags),
                      description_html=f"<p>{title}，Demo Apparel 出品。</p>",
                      option_names=[n for n, values in (("颜色", colours), ("尺码", sizes)) if values])
    combos = [(c, s) for c in colours for s in sizes] if colours and sizes else [(c,) for c in colours] or [()]
    for position, combo in enumerate(combos, start=1):
        _variant(store, shop, rng, product, position, combo, price, created)
    shop.products[product.id] = product
    if product.status == "ACTIVE":
        product.published_at[shop.online_store().id] = created
    return product


def _variant(store, shop, rng, product, position, combo, price, created) -> Variant:
    title = " / ".join(combo) if combo else "Default Title"
    codes = [COLOUR_CODES.get(part, part) for part in combo]
    sku = "-".join(["DA", product.handle.upper().replace("-", "")[:10]] + codes)
    variant = Variant(id=store.new_id(), product_id=product.id, inventory_item_id=store.new_id(), title=title,
                      sku=sku, price=price, options=list(combo), position=position, created_at=created,
                      updated_at=created)
    shop.variants[variant.id] = variant
    product.variant_ids.append(variant.id)
    shop.inventory_items[variant.inventory_item_id] = InventoryItem(variant.inventory_item_id, variant.id, sku,
                                                                    created, created)
    for location_id, units in zip(shop.locations, _stock(rng, product.handle, combo)):
        shop.levels[(variant.inventory_item_id, location_id)] = InventoryLevel(
            variant.inventory_item_id, location_id, units, created, created)
    return variant


def _stock(rng, handle: str, combo: tuple) -> list[int]:
    """Units per location; the collab tee's M is down to its last few, and a handful of others run low."""
    if handle == FLASH_SALE_HANDLE:
        return [5, 0, 0] if "M" in combo else [3, 1, 0]
    if rng.random() < 0.12:
        return [rng.randint(0, 2), 0, rng.randint(0, 1)]
    return [rng.randint(10, 60), rng.randint(0, 15), rng.randint(0, 15)]


def _customer(store, shop, created, first, last, email, phone, locale, email_state, sms_state) -> Customer:
    customer = Customer(id=store.new_id(), first_name=first, last_name=last, email=email, phone=phone,
                        locale=locale, created_at=created, updated_at=created,
                        email_state=email_state if email else "NOT_SUBSCRIBED",
                        email_consent_at=created if email_state != "NOT_SUBSCRIBED" else None,
                        sms_state=sms_state if phone else "NOT_SUBSCRIBED",
                        sms_consent_at=created if sms_state != "NOT_SUBSCRIBED" else None)
    shop.customers[customer.id] = customer
    return customer


def flash_sale_variant(shop) -> Variant:
    """The popular, nearly sold-out variant: the collab tee in M."""
    product = next(p for p in shop.products.values() if p.handle == FLASH_SALE_HANDLE)
    return next(shop.variants[v] for v in product.variant_ids if "M" in shop.variants[v].options)


def summary(shop) -> dict:
    low = [v for v in shop.variants.values() if shop.variant_available(v) <= 3]
    found = {"shop": shop.domain, "products": len(shop.products), "variants": len(shop.variants),
             "customers": len(shop.customers), "locations": [
                 {"id": f"gid://shopify/Location/{loc.id}", "name": loc.name} for loc in shop.locations.values()],
             "low_stock_variants": len(low)}
    if any(p.handle == FLASH_SALE_HANDLE for p in shop.products.values()):
        found["flash_sale_variant"] = f"gid://shopify/ProductVariant/{flash_sale_variant(shop).id}"
    return found
