"""Code discounts: discountCodeBasicCreate and discountCodeFreeShippingCreate (one code space per shop), read back
by code or id."""
from graphql import GraphQLError

from . import discount_rules, gids
from .connections import whole
from .discount_rules import Checker
from .inputs import refuse_unsupported
from .model import Discount
from .payload import Payload
from .resolvers_common import count

COMMON_INPUT = {"title", "code", "startsAt", "endsAt", "usageLimit", "appliesOncePerCustomer", "context",
                "customerSelection", "combinesWith", "tags", "minimumRequirement"}
BASIC_INPUT = COMMON_INPUT | {"customerGets"}
FREE_SHIPPING_INPUT = COMMON_INPUT | {"destination", "maximumShippingPrice", "appliesOnOneTimePurchase",
                                      "appliesOnSubscription"}
TYPENAMES = {"basic": "DiscountCodeBasic", "free_shipping": "DiscountCodeFreeShipping"}


def register(reg) -> None:
    reg.fields("Mutation", scope="write_discounts", discountCodeBasicCreate=basic_create,
               discountCodeFreeShippingCreate=free_shipping_create)
    reg.fields("QueryRoot", scope="read_discounts", codeDiscountNodeByCode=by_code)
    reg.attrs("DiscountCodeBasicCreatePayload", "codeDiscountNode", "userErrors")
    reg.attrs("DiscountCodeFreeShippingCreatePayload", "codeDiscountNode", "userErrors")
    reg.fields("DiscountCodeNode", id=lambda d, info: gids.gid("DiscountCodeNode", d.id),
               codeDiscount=lambda d, info: {"__typename": TYPENAMES[d.kind], "record": d})
    common = {
        "title": lambda v: v.title, "startsAt": lambda v: v.starts_at, "endsAt": lambda v: v.ends_at,
        "usageLimit": lambda v: v.usage_limit, "appliesOncePerCustomer": lambda v: v.applies_once_per_customer,
        "asyncUsageCount": lambda v: 0, "createdAt": lambda v: v.created_at, "updatedAt": lambda v: v.created_at,
        "tags": lambda v: v.tags, "codesCount": lambda v: count(1), "combinesWith": _combines_with,
        "context": _context, "customerSelection": _selection, "summary": _summary, "shortSummary": _summary,
        "minimumRequirement": _minimum, "recurringCycleLimit": lambda v: None,
        "discountClasses": lambda v: ["SHIPPING" if v.kind == "free_shipping" else "ORDER"],
    }
    only = {"DiscountCodeBasic": {"customerGets": _gets},
            "DiscountCodeFreeShipping": {"destinationSelection": _destination, "maximumShippingPrice": _maximum,
                                         "appliesOnOneTimePurchase": lambda v: True,
                                         "appliesOnSubscription": lambda v: False}}
    for type_name, extra in only.items():
        for name, read in {**common, **extra}.items():
            reg.field(type_name, name, _on_record(read))
        reg.field(type_name, "status", lambda v, info: _status(v["record"], info.context.now))
        reg.field(type_name, "codes", codes)
    _register_values(reg)


def _register_values(reg) -> None:
    reg.fields("DiscountRedeemCode", id=lambda c, info: c["id"], code=lambda c, info: c["code"],
               asyncUsageCount=lambda c, info: 0)
    reg.attrs("DiscountRedeemCodeConnection", "edges", "nodes", "pageInfo")
    reg.attrs("DiscountRedeemCodeEdge", "cursor", "node")
    reg.field("DiscountCustomers", "customers", _customers_of)
    reg.attrs("DiscountCustomerAll", "allCustomers")
    reg.attrs("DiscountBuyerSelectionAll", "all")
    reg.attrs("DiscountCustomerGets", "value", "items", "appliesOnOneTimePurchase", "appliesOnSubscription")
    reg.attrs("DiscountPercentage", "percentage")
    reg.attrs("DiscountAmount", "amount", "appliesOnEachItem")
    reg.attrs("AllDiscountItems", "allItems")
    reg.attrs("DiscountCombinesWith", "productDiscounts", "orderDiscounts", "shippingDiscounts")
    reg.attrs("DiscountMinimumQuantity", "greaterThanOrEqualToQuantity")
    reg.attrs("DiscountMinimumSubtotal", "greaterThanOrEqualToSubtotal")
    reg.attrs("DiscountCountries", "countries", "includeRestOfWorld")
    reg.attrs("DiscountCountryAll", "allCountries")


def _customers_of(view, info) -> list:
    known = info.context.shop.customers
    return [known[i] for i in view["customers"] if i in known]


def _on_record(read):
    return lambda view, info: read(view["record"])


def _status(discount, now) -> str:
    if discount.starts_at > now:
        return "SCHEDULED"
    if discount.ends_at is not None and discount.ends_at <= now:
        return "EXPIRED"
    return "ACTIVE"


def codes(view, info, first=None, after=None, last=None, before=None, reverse=False):
    d = view["record"]
    return whole([{"id": gids.gid("DiscountRedeemCode", d.code_id), "code": d.code}], first=first, after=after,
                 last=last, before=before, reverse=reverse)


def _combines_with(d) -> dict:
    return {key: bool(d.combines_with.get(key)) for key in ("productDiscounts", "orderDiscounts", "shippingDiscounts")}


def _context(d) -> dict:
    if d.customer_ids is None:
        return {"__typename": "DiscountBuyerSelectionAll", "all": "ALL"}
    return {"__typename": "DiscountCustomers", "customers": d.customer_ids}


def _selection(d) -> dict:
    if d.customer_ids is None:
        return {"__typename": "DiscountCustomerAll", "allCustomers": True}
    return {"__typename": "DiscountCustomers", "customers": d.customer_ids}


def _gets(d) -> dict:
    if d.percentage is not None:
        value = {"__typename": "DiscountPercentage", "percentage": d.percentage}
    else:
        value = {"__typename": "DiscountAmount", "amount": {"amount": d.amount, "currencyCode": d.currency},
                 "appliesOnEachItem": d.applies_on_each_item}
    return {"value": value, "items": {"__typename": "AllDiscountItems", "allItems": True},
            "appliesOnOneTimePurchase": True, "appliesOnSubscription": False}


def _minimum(d) -> dict | None:
    if d.minimum is None:
        return None
    kind, figure = d.minimum
    if kind == "quantity":
        return {"__typename": "DiscountMinimumQuantity", "greaterThanOrEqualToQuantity": figure}
    return {"__typename": "DiscountMinimumSubtotal",
            "greaterThanOrEqualToSubtotal": {"amount": figure, "currencyCode": d.currency}}


def _destination(d) -> dict:
    if d.countries is None:
        return {"__typename": "DiscountCountryAll", "allCountries": True}
    return {"__typename": "DiscountCountries", "countries": d.countries, "includeRestOfWorld": d.include_rest_of_world}


def _maximum(d) -> dict | None:
    if d.maximum_shipping_price is None:
        return None
    return {"amount": d.maximum_shipping_price, "currencyCode": d.currency}


def _summary(d) -> str:
    if d.kind == "free_shipping":
        parts = ["Free shipping on all products"]
    else:
        value = f"{d.percentage * 100:g}% off" if d.percentage is not None else f"{d.amount:.2f} {d.currency} off"
        parts = [value + " entire order"]
    if d.minimum is not None:
        kind, figure = d.minimum
        parts.append(f"Minimum quantity of {figure}" if kind == "quantity"
                     else f"Minimum purchase of {figure:.2f} {d.currency}")
    if d.kind == "free_shipping":
        parts.append("For all countries" if d.countries is None else
                     f"For {len(d.countries)} countr{'y' if len(d.countries) == 1 else 'ies'}")
        if d.maximum_shipping_price is not None:
            parts.append(f"Applies to shipping rates under {d.maximum_shipping_price:.2f} {d.currency}")
    if d.applies_once_per_customer:
        parts.append("One use per customer")
    if d.usage_limit:
        parts.append(f"Limit of {d.usage_limit} use{'s' if d.usage_limit != 1 else ''}")
    return " • ".join(parts)


def by_code(obj, info, code):
    shop = info.context.shop
    number = shop.discount_codes.get(code.strip().lower())
    return shop.discounts.get(number) if number else None


def basic_create(obj, info, basicCodeDiscount):
    data = basicCodeDiscount
    refuse_unsupported(info, data, "DiscountCodeBasicInput", BASIC_INPUT)
    check, shop = Checker("basicCodeDiscount"), info.context.shop
    discount_rules.check_header(check, shop, data)
    buyers = discount_rules.customers(check, shop, data)
    minimum = discount_rules.minimum(check, data)
    percentage, amount, each = discount_rules.value(check, data.get("customerGets"))
    if check.errors:
        return Payload(codeDiscountNode=None, userErrors=check.errors)
    return _save(info, data, buyers, minimum, kind="basic", percentage=percentage, amount=amount,
                 applies_on_each_item=each)


def free_shipping_create(obj, info, freeShippingCodeDiscount):
    data = freeShippingCodeDiscount
    refuse_unsupported(info, data, "DiscountCodeFreeShippingInput", FREE_SHIPPING_INPUT)
    if data.get("appliesOnOneTimePurchase") is False or data.get("appliesOnSubscription"):
        raise GraphQLError("emulator does not support free shipping discounts on subscriptions")
    check, shop = Checker("freeShippingCodeDiscount"), info.context.shop
    discount_rules.check_header(check, shop, data)
    buyers = discount_rules.customers(check, shop, data)
    minimum = discount_rules.minimum(check, data)
    countries, rest_of_world = discount_rules.destination(check, data)
    maximum = discount_rules.maximum_shipping_price(check, data)
    if check.errors:
        return Payload(codeDiscountNode=None, userErrors=check.errors)
    return _save(info, data, buyers, minimum, kind="free_shipping", percentage=None, amount=None,
                 applies_on_each_item=False, countries=countries, include_rest_of_world=rest_of_world,
                 maximum_shipping_price=maximum)


def _save(info, data: dict, buyers, minimum, **specific) -> Payload:
    store, shop = info.context.store, info.context.shop
    discount = Discount(
        id=store.new_id(), code_id=store.new_id(), code=data["code"].strip(), title=data["title"].strip(),
        starts_at=data["startsAt"], ends_at=data.get("endsAt"), usage_limit=data.get("usageLimit"),
        applies_once_per_customer=bool(data.get("appliesOncePerCustomer")), customer_ids=buyers,
        combines_with=dict(data.get("combinesWith") or {}), created_at=store.now(), currency=shop.currency,
        tags=list(data.get("tags") or []), minimum=minimum, **specific)
    shop.discounts[discount.id] = discount
    shop.discount_codes[discount.code.lower()] = discount.id
    return Payload(codeDiscountNode=discount, userErrors=[])
