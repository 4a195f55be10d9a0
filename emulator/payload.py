"""Mutation payloads and small value objects as dicts; fields a payload leaves out read as null."""


class Payload(dict):
    """A GraphQL payload object: unset fields resolve to None, never KeyError."""

    def __missing__(self, key):
        return None


def user_error(field: list | None, message: str, code: str | None = None) -> Payload:
    """One entry of a payload's userErrors, in Shopify's shape (`code` only where the type has it)."""
    error = Payload(field=[str(part) for part in field] if field is not None else None, message=message)
    if code is not None:
        error["code"] = code
    return error


def money(amount, currency: str) -> dict:
    """A MoneyBag: shop and presentment money are the same (one currency per shop here)."""
    value = {"amount": amount, "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}
