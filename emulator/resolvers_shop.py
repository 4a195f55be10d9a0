"""The shop, its locales, locations and publications, and node lookup by global id."""
from graphql import GraphQLError

from . import gids
from .connections import paginate
from .resolvers_common import connection, gid_of, legacy_id

LOCALE_NAMES = {"en": "English", "zh-CN": "Chinese (Simplified)", "zh-TW": "Chinese (Traditional)",
                "ja": "Japanese", "fr": "French", "de": "German"}


def register(reg) -> None:
    reg.fields("QueryRoot", shop=lambda obj, info: info.context.shop, shopLocales=shop_locales)
    reg.fields("QueryRoot", scope="read_locations", locations=locations, location=location)
    reg.fields("QueryRoot", scope="read_publications", publications=publications)
    reg.fields("QueryRoot", node=node, nodes=nodes)
    reg.fields("OrderEditSession", id=lambda s, info: s["id"])
    reg.attrs("Shop", "name", "email", "contactEmail")
    reg.fields("Shop", id=gid_of("Shop"), primaryDomain=primary_domain, url=lambda s, info: f"https://{s.host}",
               myshopifyDomain=lambda s, info: s.domain, currencyCode=lambda s, info: s.currency,
               ianaTimezone=lambda s, info: s.timezone)
    reg.fields("Domain", id=lambda d, info: d["id"], host=lambda d, info: d["host"], url=lambda d, info: d["url"],
               sslEnabled=lambda d, info: True)
    reg.attrs("ShopLocale", "locale", "name", "primary", "published")
    reg.fields("Location", id=gid_of("Location"), legacyResourceId=legacy_id, name=lambda loc, info: loc.name,
               isActive=lambda loc, info: loc.is_active, address=lambda loc, info: _address(loc))
    reg.attrs("LocationAddress", "address1", "address2", "city", "province", "country", "countryCode", "zip",
              "phone", "formatted")
    connection(reg, "Location")
    reg.fields("Publication", id=gid_of("Publication"), catalog=catalog, name=lambda p, info: p.title,
               autoPublish=lambda p, info: False)
    reg.fields("AppCatalog", id=lambda c, info: c["id"], title=lambda c, info: c["title"],
               status=lambda c, info: "ACTIVE")
    connection(reg, "Publication")


def primary_domain(shop, info) -> dict:
    return {"id": gids.gid("Domain", shop.id), "host": shop.host, "url": f"https://{shop.host}"}


def shop_locales(obj, info, published=None) -> list[dict]:
    found = [{"locale": locale, "name": LOCALE_NAMES.get(locale, locale), "primary": primary, "published": True}
             for locale, primary in info.context.shop.locales]
    return [entry for entry in found if not published or entry["published"]]


def _address(location) -> dict:
    address = {key: location.address.get(key) for key in ("address1", "address2", "city", "province", "country",
                                                         "countryCode", "zip", "phone")}
    address["formatted"] = [part for part in (address["address1"], address["city"], address["country"]) if part]
    return address


def locations(obj, info, first=None, after=None, last=None, before=None, reverse=False, includeInactive=False,
              includeLegacy=False, sortKey="NAME"):
    if sortKey not in ("NAME", "ID"):
        raise GraphQLError(f"emulator does not support locations sortKey {sortKey}")
    found = [loc for loc in info.context.shop.locations.values() if includeInactive or loc.is_active]
    key = (lambda loc: (loc.name, loc.id)) if sortKey == "NAME" else (lambda loc: (loc.id,))
    found.sort(key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def location(obj, info, id=None):
    shop = info.context.shop
    if id is None:
        return next(iter(shop.locations.values()))
    return shop.locations.get(gids.number(id, "Location"))


def publications(obj, info, catalogType=None, first=None, after=None, last=None, before=None, reverse=False):
    if catalogType not in (None, "APP"):
        return paginate([], lambda p: (p.id,), first=first, after=after, last=last, before=before)
    found = sorted(info.context.shop.publications.values(), key=lambda p: p.id)
    return paginate(found, lambda p: (p.id,), first=first, after=after, last=last, before=before, reverse=reverse)


def catalog(publication, info) -> dict:
    return {"__typename": "AppCatalog", "id": gids.gid("AppCatalog", publication.catalog_id),
            "title": publication.title}


def node(obj, info, id):
    found = info.context.shop.find(id)
    if found is not None and gids.split(id)[0] == "OrderEditSession":
        return {"__typename": "OrderEditSession", "id": id}
    return found


def nodes(obj, info, ids):
    return [node(obj, info, value) for value in ids]
