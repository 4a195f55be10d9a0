"""REST-shaped webhook bodies for orders, refunds and order edits, keyed like Shopify's samples."""
from . import gids, order_math
from .payloads_catalog import amount, local_time, money_set

_FINANCIAL = {"PAID": "paid", "PENDING": "pending", "PARTIALLY_PAID": "partially_paid", "REFUNDED": "refunded",
              "PARTIALLY_REFUNDED": "partially_refunded", "VOIDED": "voided", "AUTHORIZED": "authorized"}
_FULFILLMENT = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "UNFULFILLED": None}


def order_payload(shop, order) -> dict:
    """The orders/create, orders/paid, orders/updated and orders/cancelled body."""
    cur, figures = shop.currency, order_math.totals(shop, order)
    customer = shop.customers.get(order.customer_id)
    zero = money_set(0, cur)
    return {
        "id": order.id, "admin_graphql_api_id": gids.gid("Order", order.id), "app_id": None, "browser_ip": None,
        "buyer_accepts_marketing": bool(customer and customer.email_state == "SUBSCRIBED"),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "cancelled_at": local_time(shop, order.cancelled_at), "cart_token": None, "checkout_token": None,
        "client_details": None, "closed_at": local_time(shop, order.closed_at), "confirmation_number": None,
        "confirmed": True, "contact_email": order.email, "created_at": local_time(shop, order.created_at),
        "currency": cur, "current_shipping_price_set": money_set(figures.total - figures.subtotal, cur),
        "current_subtotal_price": amount(figures.subtotal),
        "current_subtotal_price_set": money_set(figures.subtotal, cur),
        "current_total_additional_fees_set": None, "current_total_discounts": amount(figures.current_discounts),
        "current_total_discounts_set": money_set(figures.current_discounts, cur), "current_total_duties_set": None,
        "current_total_price": amount(figures.total), "current_total_price_set": money_set(figures.total, cur),
        "current_total_tax": "0.00", "current_total_tax_set": zero, "customer_locale": order.customer_locale,
        "device_id": None, "discount_codes": [], "duties_included": False, "email": order.email,
        "estimated_taxes": False, "financial_status": _FINANCIAL[order_math.financial_status(shop, order)],
        "fulfillment_status": _FULFILLMENT[order_math.fulfillment_status(shop, order)], "landing_site": None,
        "landing_site_ref": None, "location_id": None, "merchant_business_entity_id": None,
        "merchant_of_record_app_id": None, "name": order.name, "note": order.note, "note_attributes": [],
        "number": order.number - 1000, "order_number": order.number,
        "order_status_url": f"https://{shop.host}/{shop.id}/orders/{order.id}/authenticate",
        "original_total_additional_fees_set": None, "original_total_duties_set": None,
        "payment_gateway_names": sorted({shop.transactions[t].gateway for t in order.transaction_ids}),
        "phone": order.phone, "po_number": None, "presentment_currency": cur,
        "processed_at": local_time(shop, order.created_at), "reference": None, "referring_site": None,
        "source_identifier": None, "source_name": "web", "source_url": None,
        "subtotal_price": amount(figures.discounted_line_items),
        "subtotal_price_set": money_set(figures.discounted_line_items, cur),
        "tags": ", ".join(order.tags), "tax_exempt": False, "tax_lines": [], "taxes_included": False,
        "test": order.test, "token": f"{order.id:032x}", "total_cash_rounding_payment_adjustment_set": zero,
        "total_cash_rounding_refund_adjustment_set": zero, "total_discounts": amount(figures.discounts),
        "total_discounts_set": money_set(figures.discounts, cur),
        "total_line_items_price": amount(figures.line_items),
        "total_line_items_price_set": money_set(figures.line_items, cur),
        "total_outstanding": amount(max(figures.outstanding, 0)), "total_price": amount(figures.original_total),
        "total_price_set": money_set(figures.original_total, cur),
        "total_shipping_price_set": money_set(order.shipping, cur), "total_tax": "0.00", "total_tax_set": zero,
        "total_tip_received": "0.00", "total_weight": 0, "updated_at": local_time(shop, order.updated_at),
        "user_id": None, "billing_address": None, "customer": _customer(shop, customer),
        "discount_applications": [_discount_application(line.discount)
                                  for line in order_math.discounted_lines(shop, order)], "fulfillments": [],
        "line_items": [line_payload(shop, line) for line in order_math.lines(shop, order)],
        "payment_terms": None, "refunds": [refund_payload(shop, shop.refunds[r]) for r in order.refund_ids],
        "shipping_address": None, "shipping_lines": _shipping_lines(shop, order), "returns": [],
        "line_item_groups": [],
    }


def line_payload(shop, line) -> dict:
    cur = shop.currency
    discount = order_math.unit_discount(line.unit_price, line.discount) * line.quantity
    return {
        "id": line.id, "admin_graphql_api_id": gids.gid("LineItem", line.id), "attributed_staffs": [],
        "current_quantity": line.current_quantity, "fulfillable_quantity": line.unfulfilled_quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": "fulfilled" if line.fulfilled_quantity and not line.unfulfilled_quantity else None,
        "gift_card": False, "grams": 0, "name": line.name, "price": amount(line.unit_price),
        "price_set": money_set(line.unit_price, cur), "product_exists": line.product_id in shop.products,
        "product_id": line.product_id, "properties": [], "quantity": line.quantity, "requires_shipping": True,
        "sales_line_item_group_id": None, "sku": line.sku, "taxable": True, "title": line.title,
        "total_discount": amount(discount), "total_discount_set": money_set(discount, cur),
        "variant_id": line.variant_id, "variant_inventory_management": "shopify" if line.variant_id else None,
        "variant_title": line.variant_title, "vendor": line.vendor, "tax_lines": [], "duties": [],
        "discount_allocations": _allocations(shop, line, discount),
    }


def _allocations(shop, line, discount) -> list:
    if line.discount is None:
        return []
    index = order_math.discounted_lines(shop, shop.orders[line.order_id]).index(line)
    return [{"amount": amount(discount), "amount_set": money_set(discount, shop.currency),
             "discount_application_index": index}]


def _discount_application(discount) -> dict:
    """A manual line discount as the order's discount_applications list shows it."""
    percent = discount.percentage is not None
    return {"target_type": "line_item", "type": "manual", "allocation_method": "across",
            "target_selection": "explicit", "title": discount.description or "Manual discount",
            "description": discount.description, "value_type": "percentage" if percent else "fixed_amount",
            "value": f"{discount.percentage:.1f}" if percent else amount(discount.amount)}


def _customer(shop, customer) -> dict | None:
    if customer is None:
        return None
    return {
        "id": customer.id, "created_at": local_time(shop, customer.created_at),
        "updated_at": local_time(shop, customer.updated_at), "first_name": customer.first_name,
        "last_name": customer.last_name, "state": "enabled", "note": None, "verified_email": True,
        "multipass_identifier": None, "tax_exempt": False, "email": customer.email, "phone": customer.phone,
        "currency": shop.currency, "tax_exemptions": [], "admin_graphql_api_id": gids.gid("Customer", customer.id),
        "default_address": None,
    }


def _shipping_lines(shop, order) -> list:
    if not order.shipping:
        return []
    price = money_set(order.shipping, shop.currency)
    return [{"id": order.id + 1, "carrier_identifier": None, "code": "Standard", "current_discounted_price_set": price,
             "discounted_price": amount(order.shipping), "discounted_price_set": price, "is_removed": False,
             "phone": None, "price": amount(order.shipping), "price_set": price,
             "requested_fulfillment_service_id": None, "source": "shopify", "title": "Standard",
             "tax_lines": [], "discount_allocations": []}]


def refund_payload(shop, refund) -> dict:
    """The refunds/create body."""
    cur = shop.currency
    return {
        "id": refund.id, "order_id": refund.order_id, "created_at": local_time(shop, refund.created_at),
        "note": refund.note, "user_id": None, "processed_at": local_time(shop, refund.created_at), "duties": [],
        "total_duties_set": money_set(0, cur), "return": None,
        "restock": any(line.restock_type != "NO_RESTOCK" for line in refund.lines), "refund_shipping_lines": [],
        "admin_graphql_api_id": gids.gid("Refund", refund.id), "order_adjustments": [],
        "refund_line_items": [{
            "id": line.id, "quantity": line.quantity, "line_item_id": line.line_item_id,
            "location_id": line.location_id, "restock_type": line.restock_type.lower(),
            "subtotal": float(line.subtotal), "total_tax": 0, "subtotal_set": money_set(line.subtotal, cur),
            "total_tax_set": money_set(0, cur), "line_item": line_payload(shop, shop.line_items[line.line_item_id]),
        } for line in refund.lines],
        "transactions": [_transaction(shop, shop.transactions[t]) for t in refund.transaction_ids],
    }


def _transaction(shop, transaction) -> dict:
    return {
        "id": transaction.id, "order_id": transaction.order_id, "kind": transaction.kind.lower(),
        "gateway": transaction.gateway, "status": transaction.status.lower(), "message": None,
        "created_at": local_time(shop, transaction.created_at), "test": transaction.test, "authorization": None,
        "location_id": None, "user_id": None, "parent_id": transaction.parent_id,
        "processed_at": local_time(shop, transaction.created_at), "device_id": None, "error_code": None,
        "source_name": "web", "receipt": {}, "amount": amount(transaction.amount), "currency": shop.currency,
        "payment_id": f"#{transaction.order_id}.{transaction.id}", "total_unsettled_set": money_set(0, shop.currency),
        "manual_payment_gateway": False, "amount_rounding": None,
        "admin_graphql_api_id": gids.gid("OrderTransaction", transaction.id),
    }


def order_edit_payload(shop, edit, additions: list, removals: list, staff_note: str, notify: bool) -> dict:
    """The orders/edited body: which line items grew or shrank, by how much."""
    return {"order_edit": {
        "id": edit.id, "app_id": None, "created_at": local_time(shop, edit.created_at),
        "committed_at": local_time(shop, edit.committed_at), "notify_customer": notify,
        "order_id": edit.order_id, "staff_note": staff_note or "", "user_id": None,
        "line_items": {"additions": [{"id": i, "delta": d} for i, d in additions],
                       "removals": [{"id": i, "delta": d} for i, d in removals]},
        "discounts": {"line_item": {"additions": [], "removals": []}},
        "shipping_lines": {"additions": [], "removals": []},
    }}
