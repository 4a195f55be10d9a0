"""POST /admin/api/<version>/graphql.json: auth, faults, validation, cost throttle, execution."""
import uuid

from flask import Blueprint, jsonify, request
from graphql import get_operation_ast
from graphql.execution.values import get_variable_values
from graphql.language import FragmentDefinitionNode

from . import documents, execution, faults, shop_domain, tokens
from .costs import query_cost
from .resolvers import registry
from .runtime import current

bp = Blueprint("graphql_api", __name__)
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
THROTTLED = {"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                     "documentation": "https://shopify.dev/api/usage/rate-limits"}}


@bp.post("/admin/api/<version>/graphql.json")
def graphql_endpoint(version: str):
    emulator = current()
    if version not in emulator.config["API_VERSIONS"]:
        return jsonify(errors="Not Found"), 404
    domain = shop_domain.from_request(request)
    if domain is None:
        return jsonify(errors="Not Found"), 404
    store = emulator.store
    with store.lock:
        shop = store.shop(domain)
        _count(shop, "requests")
        token = tokens.valid_access(store, request.headers.get("X-Shopify-Access-Token"), shop.domain)
        fault = faults.take(shop, store.clock.timestamp()) if token else None
    if token is None:
        _count(shop, "unauthorized")
        return jsonify(errors=INVALID_TOKEN), 401
    if fault:
        return _fault_response(shop, fault, version)
    if request.mimetype == "application/graphql":
        body = {"query": request.get_data(as_text=True)}
    else:
        body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return jsonify(errors={"query": "Required parameter missing or invalid"}), 400
    return _answer(emulator, shop, token, version, body)


def _answer(emulator, shop, token, version: str, body: dict):
    schema = emulator.schema(version)
    prepared = documents.prepare(schema, registry(), body["query"])
    if prepared.errors:
        _count(shop, "invalid")
        return _json({"errors": list(prepared.errors)}, version)
    operation = get_operation_ast(prepared.document, body.get("operationName"))
    if operation is None:
        return _json({"errors": [{"message": "An operation name is required" if body.get("operationName") is None
                                  else f"No operation named \"{body['operationName']}\"",
                                  "extensions": {"code": "OPERATION_NOT_FOUND"}}]}, version)
    coerced = get_variable_values(schema, operation.variable_definitions or (), body.get("variables") or {})
    if isinstance(coerced, list):
        return _json({"errors": [e.formatted for e in coerced]}, version)
    fragments = {d.name.value: d for d in prepared.document.definitions if isinstance(d, FragmentDefinitionNode)}
    requested = query_cost(schema, operation, fragments, coerced)
    limit = min(emulator.config["MAX_QUERY_COST"], shop.bucket.maximum)
    if requested > limit:
        return _json({"errors": [_max_cost_error(requested, limit)],
                      "extensions": {"cost": _cost(shop, requested, None)}}, version)
    if not shop.bucket.take(requested):
        _count(shop, "throttled")
        return _json({"errors": [THROTTLED], "extensions": {"cost": _cost(shop, requested, None)}}, version)
    context = execution.RequestContext(emulator.store, shop, _scopes(token), version)
    with emulator.store.lock:
        result = execution.run(schema, registry(), prepared.document, body.get("variables"),
                               body.get("operationName"), context)
    emulator.deliver_pending()
    actual = query_cost(schema, operation, fragments, coerced, data=result.data) if result.data else 0
    shop.bucket.refund(requested - actual)
    answer = {"data": result.data}
    if result.errors:
        _count(shop, "errors")
        answer["errors"] = [error.formatted for error in result.errors]
    answer["extensions"] = {"cost": _cost(shop, requested, actual)}
    return _json(answer, version)


def _count(shop, name: str) -> None:
    with current().store.lock:
        shop.counters[name] += 1


def _scopes(token) -> frozenset:
    return frozenset(token.scopes)


def _cost(shop, requested: int, actual: int | None) -> dict:
    return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": shop.bucket.status()}


def _max_cost_error(cost: int, limit: int) -> dict:
    return {"message": f"Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n"
                       "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                       "cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk "
                       "operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-"
                       "operations-with-admin-api for usage details.\n",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": limit}}


def _fault_response(shop, kind: str, version: str):
    _count(shop, f"fault_{kind}")
    if kind == "throttled":
        _count(shop, "throttled")
        return _json({"errors": [THROTTLED], "extensions": {"cost": _cost(shop, 0, None)}}, version)
    if kind == "http_429":
        response = jsonify(errors="Exceeded 2 calls per second for api client. Reduce request rates to resume "
                                  "uninterrupted service.")
        response.status_code = 429
        response.headers["Retry-After"] = "1.0"
        return response
    request_id = str(uuid.uuid4())
    response = jsonify(errors=f"Internal error. Looks like something went wrong on our end.\nRequest ID: "
                              f"{request_id} (include this in support requests).")
    response.status_code = int(kind.split("_")[1])
    response.headers["X-Request-Id"] = request_id
    return response


def _json(payload: dict, version: str):
    response = jsonify(payload)
    response.headers["X-Shopify-API-Version"] = version
    response.headers["X-Request-Id"] = str(uuid.uuid4())
    return response
