"""Customers, their contact points and marketing consent, and the two consent mutations."""
from graphql import GraphQLError

from . import gids
from .connections import paginate
from .payload import Payload, user_error
from .resolvers_common import connection, gid_of, legacy_id
from .search import predicate

CUSTOMER_SORTS = {"ID": lambda c: (c.id,), "CREATED_AT": lambda c: (c.created_at.timestamp(), c.id),
                  "UPDATED_AT": lambda c: (c.updated_at.timestamp(), c.id),
                  "NAME": lambda c: (display_name(c).lower(), c.id)}
SETTABLE = ("SUBSCRIBED", "UNSUBSCRIBED", "PENDING")


def register(reg) -> None:
    reg.fields("QueryRoot", scope="read_customers", customer=customer, customers=customers)
    reg.attrs("Customer", "firstName", "lastName", "locale", "createdAt", "updatedAt", "tags", "email", "phone")
    reg.fields("Customer", id=gid_of("Customer"), legacyResourceId=legacy_id,
               displayName=lambda c, info: display_name(c), state=lambda c, info: "DISABLED",
               verifiedEmail=lambda c, info: c.email is not None,
               numberOfOrders=lambda c, info: sum(1 for o in info.context.shop.orders.values()
                                                  if o.customer_id == c.id),
               defaultEmailAddress=email_address, defaultPhoneNumber=phone_number,
               emailMarketingConsent=email_consent, smsMarketingConsent=sms_consent)
    reg.attrs("CustomerEmailAddress", "emailAddress", "marketingState", "marketingOptInLevel", "marketingUpdatedAt",
              "validFormat")
    reg.attrs("CustomerPhoneNumber", "phoneNumber", "marketingState", "marketingOptInLevel", "marketingUpdatedAt",
              "marketingCollectedFrom")
    reg.attrs("CustomerEmailMarketingConsentState", "marketingState", "marketingOptInLevel", "consentUpdatedAt")
    reg.attrs("CustomerSmsMarketingConsentState", "marketingState", "marketingOptInLevel", "consentUpdatedAt",
              "consentCollectedFrom")
    connection(reg, "Customer")
    reg.fields("Mutation", scope="write_customers", customerEmailMarketingConsentUpdate=email_consent_update,
               customerSmsMarketingConsentUpdate=sms_consent_update)
    reg.attrs("CustomerEmailMarketingConsentUpdatePayload", "customer", "userErrors")
    reg.attrs("CustomerSmsMarketingConsentUpdatePayload", "customer", "userErrors")


def display_name(c) -> str:
    name = " ".join(part for part in (c.first_name, c.last_name) if part)
    return name or c.email or c.phone or ""


def customer(obj, info, id):
    return info.context.shop.customers.get(gids.number(id, "Customer"))


def customers(obj, info, first=None, after=None, last=None, before=None, reverse=False, sortKey="ID", query=None):
    if sortKey not in CUSTOMER_SORTS:
        raise GraphQLError(f"emulator does not support customers sortKey {sortKey}")
    test = predicate(query, {
        None: (lambda c: f"{display_name(c)} {c.email or ''}", "contains"), "email": (lambda c: c.email, "text"),
        "phone": (lambda c: c.phone, "text"), "first_name": (lambda c: c.first_name, "text"),
        "last_name": (lambda c: c.last_name, "text"), "tag": (lambda c: c.tags, "list"),
        "id": (lambda c: c.id, "id"), "updated_at": (lambda c: c.updated_at, "datetime"),
        "created_at": (lambda c: c.created_at, "datetime"),
    }, "customers")
    key = CUSTOMER_SORTS[sortKey]
    found = sorted((c for c in info.context.shop.customers.values() if test(c)), key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def email_address(c, info):
    if not c.email:
        return None
    state = c.email_state if c.email_state != "REDACTED" else "UNSUBSCRIBED"
    return {"emailAddress": c.email, "marketingState": state, "marketingOptInLevel": c.email_opt_in_level,
            "marketingUpdatedAt": c.email_consent_at, "validFormat": "@" in c.email}


def phone_number(c, info):
    if not c.phone:
        return None
    return {"phoneNumber": c.phone, "marketingState": c.sms_state, "marketingOptInLevel": c.sms_opt_in_level,
            "marketingUpdatedAt": c.sms_consent_at, "marketingCollectedFrom": "OTHER"}


def email_consent(c, info):
    if not c.email:
        return None
    return {"marketingState": c.email_state, "marketingOptInLevel": c.email_opt_in_level,
            "consentUpdatedAt": c.email_consent_at}


def sms_consent(c, info):
    if not c.phone:
        return None
    return {"marketingState": c.sms_state, "marketingOptInLevel": c.sms_opt_in_level,
            "consentUpdatedAt": c.sms_consent_at, "consentCollectedFrom": "OTHER"}


def email_consent_update(obj, info, input):
    return _consent_update(info, input, "emailMarketingConsent", "email", "email_state", "email_opt_in_level",
                           "email_consent_at")


def sms_consent_update(obj, info, input):
    return _consent_update(info, input, "smsMarketingConsent", "phone", "sms_state", "sms_opt_in_level",
                           "sms_consent_at")


def _consent_update(info, data: dict, key: str, contact: str, state_attr: str, level_attr: str, at_attr: str):
    store, shop = info.context.store, info.context.shop
    consent = data[key]
    if consent.get("sourceLocationId"):
        raise GraphQLError(f"emulator does not support {key}.sourceLocationId")
    record = shop.customers.get(gids.number(data["customerId"], "Customer"))
    if record is None:
        return Payload(customer=None, userErrors=[user_error(["input", "customerId"], "Customer not found",
                                                             "INVALID")])
    errors = []
    if not getattr(record, contact):
        errors.append(user_error(["input", "customerId"], f"Customer must have a {contact} to update {key}",
                                 "INVALID"))
    if consent["marketingState"] not in SETTABLE:
        errors.append(user_error(["input", key, "marketingState"],
                                 f"Marketing state {consent['marketingState']} is not allowed", "INCLUSION"))
    moment = consent.get("consentUpdatedAt")
    if moment is not None and moment > store.now():
        errors.append(user_error(["input", key, "consentUpdatedAt"], "Consent updated at cannot be in the future",
                                 "INVALID"))
    if errors:
        return Payload(customer=record, userErrors=errors)
    setattr(record, state_attr, consent["marketingState"])
    setattr(record, level_attr, consent.get("marketingOptInLevel") or "SINGLE_OPT_IN")
    setattr(record, at_attr, moment or store.now())
    record.updated_at = store.now()
    return Payload(customer=record, userErrors=[])
