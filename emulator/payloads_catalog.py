"""REST-shaped webhook bodies for shops, products, variants and inventory, as Shopify's samples show them."""
from datetime import datetime
from zoneinfo import ZoneInfo

from . import gids


def local_time(shop, moment: datetime | None) -> str | None:
    """REST payload timestamps are in the shop's time zone with an offset, to the second."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(shop.timezone)).isoformat(timespec="seconds")


def amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def money_set(value, currency: str) -> dict:
    bag = {"amount": amount(value), "currency_code": currency}
    return {"shop_money": bag, "presentment_money": dict(bag)}


def variant_payload(shop, variant, *, old_quantity: int | None = None) -> dict:
    """The variants/in_stock and variants/out_of_stock body (also each entry of a product's variants)."""
    quantity = shop.variant_available(variant)
    options = variant.options + [None] * (3 - len(variant.options))
    return {
        "id": variant.id, "product_id": variant.product_id, "title": variant.title, "price": amount(variant.price),
        "position": variant.position, "inventory_policy": variant.inventory_policy.lower(),
        "compare_at_price": amount(variant.compare_at_price), "option1": options[0], "option2": options[1],
        "option3": options[2], "created_at": local_time(shop, variant.created_at),
        "updated_at": local_time(shop, variant.updated_at), "taxable": True, "barcode": variant.barcode,
        "sku": variant.sku, "inventory_quantity": quantity,
        "old_inventory_quantity": quantity if old_quantity is None else old_quantity,
        "admin_graphql_api_id": gids.gid("ProductVariant", variant.id), "image_id": None,
    }


def product_payload(shop, product) -> dict:
    """The products/update body: the product with its first 100 variants in full, the rest as variant_gids."""
    online = shop.online_store()
    variants = [shop.variants[v] for v in product.variant_ids]
    full = []
    for variant in variants[:100]:
        entry = variant_payload(shop, variant)
        full.append({
            "admin_graphql_api_id": entry["admin_graphql_api_id"], "barcode": entry["barcode"],
            "compare_at_price": entry["compare_at_price"], "created_at": entry["created_at"], "id": variant.id,
            "inventory_policy": entry["inventory_policy"], "position": variant.position, "price": entry["price"],
            "product_id": product.id, "sku": variant.sku, "taxable": True, "title": variant.title,
            "updated_at": entry["updated_at"], "option1": entry["option1"], "option2": entry["option2"],
            "option3": entry["option3"], "image_id": None, "inventory_item_id": variant.inventory_item_id,
            "inventory_quantity": entry["inventory_quantity"],
            "old_inventory_quantity": entry["old_inventory_quantity"],
        })
    return {
        "admin_graphql_api_id": gids.gid("Product", product.id), "body_html": product.description_html,
        "created_at": local_time(shop, product.created_at), "handle": product.handle, "id": product.id,
        "product_type": product.product_type, "published_at": local_time(shop, product.published_at.get(online.id)),
        "template_suffix": None, "title": product.title, "updated_at": local_time(shop, product.updated_at),
        "vendor": product.vendor, "status": product.status.lower(), "published_scope": "web",
        "tags": ", ".join(product.tags), "variants": full,
        "options": [{"name": name, "position": i + 1, "product_id": product.id,
                     "values": sorted({v.options[i] for v in variants if len(v.options) > i})}
                    for i, name in enumerate(product.option_names)],
        "images": [], "image": None, "media": [],
        "variant_gids": [{"admin_graphql_api_id": gids.gid("ProductVariant", v.id),
                          "updated_at": v.updated_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")} for v in variants],
        "has_variants_that_requires_components": False, "category": None,
    }


def level_payload(shop, level) -> dict:
    """The inventory_levels/update body, with an integer `available`."""
    return {
        "inventory_item_id": level.item_id, "location_id": level.location_id, "available": level.available,
        "updated_at": local_time(shop, level.updated_at),
        "admin_graphql_api_id": gids.level_gid(level.location_id, level.item_id),
    }


def shop_payload(shop) -> dict:
    """The app/uninstalled body: the shop resource."""
    primary_location = next(iter(shop.locations.values()))
    return {
        "id": shop.id, "name": shop.name, "email": shop.email, "domain": shop.host, "province": None,
        "country": primary_location.address.get("countryCode"), "address1": primary_location.address.get("address1"),
        "zip": primary_location.address.get("zip"), "city": primary_location.address.get("city"), "source": None,
        "phone": None, "latitude": None, "longitude": None, "primary_locale": _primary_locale(shop),
        "address2": None, "created_at": None, "updated_at": None,
        "country_code": primary_location.address.get("countryCode"),
        "country_name": primary_location.address.get("country"), "currency": shop.currency,
        "customer_email": shop.contact_email, "timezone": shop.timezone, "iana_timezone": shop.timezone,
        "shop_owner": shop.name, "money_format": None, "money_with_currency_format": None, "weight_unit": "kg",
        "province_code": None, "taxes_included": None, "auto_configure_tax_inclusivity": None,
        "tax_shipping": None, "county_taxes": None, "plan_display_name": "Development",
        "plan_name": "partner_test", "has_discounts": bool(shop.discounts), "has_gift_cards": False,
        "myshopify_domain": shop.domain, "google_apps_domain": None, "google_apps_login_enabled": None,
        "money_in_emails_format": None, "money_with_currency_in_emails_format": None,
        "eligible_for_payments": True, "requires_extra_payments_agreement": False, "password_enabled": None,
        "has_storefront": True, "finances": True, "primary_location_id": primary_location.id,
        "checkout_api_supported": True, "multi_location_enabled": len(shop.locations) > 1, "setup_required": False,
        "pre_launch_enabled": False, "enabled_presentment_currencies": [shop.currency],
        "marketing_sms_consent_enabled_at_checkout": False, "transactional_sms_disabled": False,
    }


def _primary_locale(shop) -> str:
    return next((locale for locale, primary in shop.locales if primary), "en")


def compliance_payload(shop, topic: str, customer=None, order_ids=(), request_id: int | None = None) -> dict:
    """customers/data_request, customers/redact and shop/redact bodies."""
    body = {"shop_id": shop.id, "shop_domain": shop.domain}
    if topic == "shop/redact":
        return body
    body["customer"] = {"id": customer.id, "email": customer.email, "phone": customer.phone}
    if topic == "customers/data_request":
        body["orders_requested"] = list(order_ids)
        body["data_request"] = {"id": request_id}
    else:
        body["orders_to_redact"] = list(order_ids)
    return body
