"""What makes a code discount input valid: unique code, dates, buyers, minimum requirement, value, destination."""
from decimal import Decimal

from graphql import GraphQLError

from . import gids
from .payload import user_error


class Checker:
    """Collects DiscountUserErrors under the input's own argument name (`basicCodeDiscount`, …)."""

    def __init__(self, root: str):
        self.root, self.errors = root, []

    def add(self, path: list, message: str, code: str) -> None:
        self.errors.append(user_error([self.root] + path, message, code))


def check_header(check: Checker, shop, data: dict) -> None:
    """Code (unique per shop across every kind of code discount), title, dates and usage limit."""
    code = (data.get("code") or "").strip()
    if not code:
        check.add(["code"], "Code can't be blank", "BLANK")
    elif len(code) > 255:
        check.add(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG")
    elif code.lower() in shop.discount_codes:
        check.add(["code"], "Code must be unique. Please try a different code.", "TAKEN")
    if not (data.get("title") or "").strip():
        check.add(["title"], "Title can't be blank", "BLANK")
    if data.get("startsAt") is None:
        check.add(["startsAt"], "Starts at can't be blank", "BLANK")
    elif data.get("endsAt") is not None and data["endsAt"] <= data["startsAt"]:
        check.add(["endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE")
    if data.get("usageLimit") is not None and data["usageLimit"] <= 0:
        check.add(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN")


def customers(check: Checker, shop, data: dict) -> list[int] | None:
    """None for everyone, else the customer ids the code is limited to."""
    context, selection = data.get("context"), data.get("customerSelection")
    if context and selection:
        check.add(["context"], "Only one of context or customerSelection can be provided", "TOO_MANY_ARGUMENTS")
        return None
    chosen, path = (context, ["context"]) if context else (selection, ["customerSelection"])
    if not chosen:
        return None
    if chosen.get("customerSegments") or chosen.get("markets"):
        raise GraphQLError("emulator does not support discount customer segments or markets")
    given = [key for key in ("all", "customers") if chosen.get(key)]
    if len(given) != 1:
        check.add(path, "Exactly one buyer selection must be provided",
                  "TOO_MANY_ARGUMENTS" if given else "MISSING_ARGUMENT")
        return None
    if given[0] == "all":
        return None
    ids = []
    for index, value in enumerate(chosen["customers"].get("add") or []):
        number = gids.number(value, "Customer")
        if number not in shop.customers:
            check.add(path + ["customers", "add", index], "Customer does not exist", "INVALID")
        ids.append(number)
    if not ids:
        check.add(path + ["customers", "add"], "Customers can't be blank", "BLANK")
    return ids


def minimum(check: Checker, data: dict) -> tuple[str, object] | None:
    """("quantity", n), ("subtotal", amount) or None from minimumRequirement."""
    wanted = data.get("minimumRequirement") or {}
    quantity = (wanted.get("quantity") or {}).get("greaterThanOrEqualToQuantity")
    subtotal = (wanted.get("subtotal") or {}).get("greaterThanOrEqualToSubtotal")
    path = ["minimumRequirement"]
    if quantity is not None and subtotal is not None:
        check.add(path, "Minimum subtotal and minimum quantity can't both be present",
                  "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT")
        return None
    if quantity is not None:
        if quantity < 1:
            check.add(path + ["quantity", "greaterThanOrEqualToQuantity"], "Minimum quantity must be greater than 0",
                      "GREATER_THAN")
        return "quantity", quantity
    if subtotal is not None:
        if subtotal <= 0:
            check.add(path + ["subtotal", "greaterThanOrEqualToSubtotal"], "Minimum subtotal must be greater than 0",
                      "GREATER_THAN")
        return "subtotal", subtotal
    return None


def value(check: Checker, gets: dict | None):
    """(percentage, amount, applies on each item) from a basic discount's customerGets."""
    if not gets or not gets.get("value"):
        check.add(["customerGets", "value"], "Value can't be blank", "BLANK")
        return None, None, False
    items = gets.get("items") or {}
    if items.get("products") or items.get("collections"):
        raise GraphQLError("emulator does not support discounts limited to products or collections")
    if not items.get("all"):
        check.add(["customerGets", "items"], "Items must apply to something", "APPLIES_ON_NOTHING")
    wanted = gets["value"]
    if wanted.get("discountOnQuantity"):
        raise GraphQLError("emulator does not support DiscountCustomerGetsValueInput.discountOnQuantity")
    if (wanted.get("percentage") is None) == (wanted.get("discountAmount") is None):
        check.add(["customerGets", "value"], "Exactly one of percentage or discountAmount is required",
                  "TOO_MANY_ARGUMENTS")
        return None, None, False
    if wanted.get("percentage") is not None:
        if not 0 < wanted["percentage"] <= 1:
            check.add(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0",
                      "VALUE_OUTSIDE_RANGE")
        return wanted["percentage"], None, False
    amount = wanted["discountAmount"].get("amount")
    if amount is None or Decimal(amount) <= 0:
        check.add(["customerGets", "value", "discountAmount", "amount"], "Value must be greater than 0",
                  "GREATER_THAN")
    return None, amount, bool(wanted["discountAmount"].get("appliesOnEachItem"))


def destination(check: Checker, data: dict) -> tuple[list[str] | None, bool]:
    """(country codes or None for all countries, include rest of world) from a free shipping destination."""
    chosen = data.get("destination")
    if chosen is None:
        return None, False
    countries = chosen.get("countries")
    if bool(chosen.get("all")) == bool(countries):
        check.add(["destination"], "Exactly one of all or countries must be provided",
                  "TOO_MANY_ARGUMENTS" if countries else "MISSING_ARGUMENT")
        return None, False
    if chosen.get("all"):
        return None, False
    if countries.get("remove"):
        check.add(["destination", "countries", "remove"], "Countries can't be removed from a new discount",
                  "INVALID")
    codes = list(dict.fromkeys(countries.get("add") or []))
    if not codes and not countries.get("includeRestOfWorld"):
        check.add(["destination", "countries", "add"], "Countries can't be blank", "BLANK")
    return codes, bool(countries.get("includeRestOfWorld"))


def maximum_shipping_price(check: Checker, data: dict) -> Decimal | None:
    price = data.get("maximumShippingPrice")
    if price is not None and price <= 0:
        check.add(["maximumShippingPrice"], "Maximum shipping price must be greater than 0", "GREATER_THAN")
    return price
