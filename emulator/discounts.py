"""discountCodeBasicCreate (unique codes per shop, one-customer / single-use limits) and code lookup."""
from decimal import Decimal

from graphql import GraphQLError

from . import gids
from .connections import whole
from .inputs import refuse_unsupported
from .model import Discount
from .payload import Payload, user_error
from .resolvers_common import count

SUPPORTED_INPUT = {"title", "code", "startsAt", "endsAt", "usageLimit", "appliesOncePerCustomer", "context",
                   "customerSelection", "customerGets", "combinesWith", "tags"}


def register(reg) -> None:
    reg.fields("Mutation", scope="write_discounts", discountCodeBasicCreate=basic_create)
    reg.fields("QueryRoot", scope="read_discounts", codeDiscountNodeByCode=by_code)
    reg.attrs("DiscountCodeBasicCreatePayload", "codeDiscountNode", "userErrors")
    reg.fields("DiscountCodeNode", id=lambda d, info: gids.gid("DiscountCodeNode", d.id),
               codeDiscount=lambda d, info: {"__typename": "DiscountCodeBasic", "record": d})
    basic = {
        "title": lambda v: v.title, "startsAt": lambda v: v.starts_at, "endsAt": lambda v: v.ends_at,
        "usageLimit": lambda v: v.usage_limit, "appliesOncePerCustomer": lambda v: v.applies_once_per_customer,
        "asyncUsageCount": lambda v: 0, "createdAt": lambda v: v.created_at, "updatedAt": lambda v: v.created_at,
        "tags": lambda v: v.tags, "codesCount": lambda v: count(1), "combinesWith": _combines_with,
        "context": _context, "customerSelection": _selection, "customerGets": _gets, "summary": _summary,
        "shortSummary": _summary,
    }
    for name, read in basic.items():
        reg.field("DiscountCodeBasic", name, _on_record(read))
    reg.field("DiscountCodeBasic", "status", lambda v, info: _status(v["record"], info.context.now))
    reg.field("DiscountCodeBasic", "codes", codes)
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


def _summary(d) -> str:
    value = f"{d.percentage * 100:g}% off" if d.percentage is not None else f"{d.amount:.2f} {d.currency} off"
    limits = [" • One use per customer" if d.applies_once_per_customer else "",
              f" • Limit of {d.usage_limit} use{'s' if d.usage_limit != 1 else ''}" if d.usage_limit else ""]
    return value + " entire order" + "".join(limits)


def by_code(obj, info, code):
    shop = info.context.shop
    number = shop.discount_codes.get(code.strip().lower())
    return shop.discounts.get(number) if number else None


def basic_create(obj, info, basicCodeDiscount):
    store, shop = info.context.store, info.context.shop
    data = basicCodeDiscount
    refuse_unsupported(info, data, "DiscountCodeBasicInput", SUPPORTED_INPUT)
    errors = _header_errors(shop, data)
    customer_ids = _customers(shop, data, errors)
    value = _value(data.get("customerGets"), errors)
    if errors:
        return Payload(codeDiscountNode=None, userErrors=errors)
    percentage, amount, each = value
    discount = Discount(
        id=store.new_id(), code_id=store.new_id(), code=data["code"].strip(), title=data["title"].strip(),
        starts_at=data["startsAt"], ends_at=data.get("endsAt"), usage_limit=data.get("usageLimit"),
        applies_once_per_customer=bool(data.get("appliesOncePerCustomer")), customer_ids=customer_ids,
        percentage=percentage, amount=amount, applies_on_each_item=each,
        combines_with=dict(data.get("combinesWith") or {}), created_at=store.now(), currency=shop.currency,
        tags=list(data.get("tags") or []))
    shop.discounts[discount.id] = discount
    shop.discount_codes[discount.code.lower()] = discount.id
    return Payload(codeDiscountNode=discount, userErrors=[])


def _error(path: list, message: str, code: str) -> dict:
    return user_error(["basicCodeDiscount"] + path, message, code)


def _header_errors(shop, data: dict) -> list:
    errors = []
    code = (data.get("code") or "").strip()
    if not code:
        errors.append(_error(["code"], "Code can't be blank", "BLANK"))
    elif len(code) > 255:
        errors.append(_error(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG"))
    elif code.lower() in shop.discount_codes:
        errors.append(_error(["code"], "Code must be unique. Please try a different code.", "TAKEN"))
    if not (data.get("title") or "").strip():
        errors.append(_error(["title"], "Title can't be blank", "BLANK"))
    if data.get("startsAt") is None:
        errors.append(_error(["startsAt"], "Starts at can't be blank", "BLANK"))
    elif data.get("endsAt") is not None and data["endsAt"] <= data["startsAt"]:
        errors.append(_error(["endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE"))
    if data.get("usageLimit") is not None and data["usageLimit"] <= 0:
        errors.append(_error(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN"))
    return errors


def _customers(shop, data: dict, errors: list) -> list[int] | None:
    """None for everyone, else the customer ids the code is limited to."""
    context, selection = data.get("context"), data.get("customerSelection")
    if context and selection:
        errors.append(_error(["context"], "Only one of context or customerSelection can be provided",
                             "TOO_MANY_ARGUMENTS"))
        return None
    chosen, path = (context, ["context"]) if context else (selection, ["customerSelection"])
    if not chosen:
        return None
    if chosen.get("customerSegments") or chosen.get("markets"):
        raise GraphQLError("emulator does not support discount customer segments or markets")
    given = [key for key in ("all", "customers") if chosen.get(key)]
    if len(given) != 1:
        errors.append(_error(path, "Exactly one buyer selection must be provided", "TOO_MANY_ARGUMENTS"
                             if given else "MISSING_ARGUMENT"))
        return None
    if given[0] == "all":
        return None
    ids = []
    for index, value in enumerate(chosen["customers"].get("add") or []):
        number = gids.number(value, "Customer")
        if number not in shop.customers:
            errors.append(_error(path + ["customers", "add", index], "Customer does not exist", "INVALID"))
        ids.append(number)
    if not ids:
        errors.append(_error(path + ["customers", "add"], "Customers can't be blank", "BLANK"))
    return ids


def _value(gets: dict | None, errors: list):
    """(percentage, amount, applies on each item) from customerGets."""
    if not gets or not gets.get("value"):
        errors.append(_error(["customerGets", "value"], "Value can't be blank", "BLANK"))
        return None, None, False
    items = gets.get("items") or {}
    if items.get("products") or items.get("collections"):
        raise GraphQLError("emulator does not support discounts limited to products or collections")
    if not items.get("all"):
        errors.append(_error(["customerGets", "items"], "Items must apply to something", "APPLIES_ON_NOTHING"))
    value = gets["value"]
    if value.get("discountOnQuantity"):
        raise GraphQLError("emulator does not support DiscountCustomerGetsValueInput.discountOnQuantity")
    if (value.get("percentage") is None) == (value.get("discountAmount") is None):
        errors.append(_error(["customerGets", "value"], "Exactly one of percentage or discountAmount is required",
                             "TOO_MANY_ARGUMENTS"))
        return None, None, False
    if value.get("percentage") is not None:
        if not 0 < value["percentage"] <= 1:
            errors.append(_error(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0",
                                 "VALUE_OUTSIDE_RANGE"))
        return value["percentage"], None, False
    amount = value["discountAmount"].get("amount")
    if amount is None or Decimal(amount) <= 0:
        errors.append(_error(["customerGets", "value", "discountAmount", "amount"],
                             "Value must be greater than 0", "GREATER_THAN"))
    return None, amount, bool(value["discountAmount"].get("appliesOnEachItem"))
