"""Run a validated operation against a shop with the registry's resolvers, scopes and @idempotent rules."""
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, execute
from graphql.execution.values import get_directive_values

from .payload import Payload


@dataclass
class RequestContext:
    """What every resolver may read: the store, the shop, the caller's scopes, the API version."""
    store: object
    shop: object
    scopes: frozenset
    version: str
    extras: dict = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.store.now()


def run(schema: GraphQLSchema, registry, document, variables: dict | None, operation_name: str | None,
        context: RequestContext) -> ExecutionResult:
    """Execute under the caller's lock; resolvers read and change the in-memory store."""
    return execute(schema, document, variable_values=variables or {}, operation_name=operation_name,
                   context_value=context, field_resolver=_field_resolver(registry, schema),
                   type_resolver=_type_of)


def _type_of(value, info, abstract_type) -> str:
    return value["__typename"] if isinstance(value, dict) else value.typename


@lru_cache(maxsize=8)
def _field_resolver(registry, schema):
    required, supported = idempotent_mutations(schema)

    def resolve(source, info, **args):
        spec = registry.get(info.parent_type.name, info.field_name)
        if spec is None:
            raise GraphQLError(f"emulator does not support {info.parent_type.name}.{info.field_name}")
        if spec.args is not None:
            args = {name: value for name, value in args.items() if name in spec.args}
        if spec.scope:
            require_scope(info.context.scopes, spec.scope, info.field_name)
        if info.parent_type is schema.mutation_type:
            return _mutate(spec, source, info, args, info.field_name in required, info.field_name in supported)
        return spec.resolve(source, info, **args)
    return resolve


def require_scope(granted: frozenset, scope: str, field_name: str) -> None:
    implied = scope.replace("read_", "write_", 1) if scope.startswith("read_") else None
    if scope in granted or (implied and implied in granted):
        return
    raise GraphQLError(f"Access denied for {field_name} field. Required access: `{scope}` access scope.",
                       extensions={"code": "ACCESS_DENIED",
                                   "documentation": "https://shopify.dev/api/usage/access-scopes",
                                   "requiredAccess": f"`{scope}` access scope."})


def _mutate(spec, source, info, args, key_required: bool, key_supported: bool):
    """Honour @idempotent: a repeated key returns the first result without acting again."""
    directive = info.schema.get_directive("idempotent")
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) if directive else None
    key = values["key"] if values else None
    if key is None:
        if key_required:
            raise GraphQLError(f"The @idempotent directive is required for {info.field_name}. "
                               "Provide a unique key: @idempotent(key: \"...\").",
                               extensions={"code": "BAD_REQUEST"})
        return spec.resolve(source, info, **args)
    if not key_supported:
        raise GraphQLError(f"The @idempotent directive is not supported on {info.field_name}.",
                           extensions={"code": "BAD_REQUEST"})
    if not key.strip():
        raise GraphQLError("The idempotency key cannot be an empty string or whitespace only.",
                           extensions={"code": "BAD_REQUEST"})
    shop, fingerprint = info.context.shop, _fingerprint(args)
    seen = shop.idempotency.get((info.field_name, key))
    if seen is not None:
        if seen[0] == fingerprint:
            return seen[1]
        return Payload(userErrors=[{"field": None, "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                                    "message": "The idempotency key was already used with different parameters."}])
    result = spec.resolve(source, info, **args)
    shop.idempotency[(info.field_name, key)] = (fingerprint, result)
    return result


def _fingerprint(args: dict) -> str:
    return json.dumps(args, sort_keys=True, default=lambda v: str(v) if isinstance(v, (Decimal, datetime)) else repr(v))


@lru_cache(maxsize=8)
def idempotent_mutations(schema: GraphQLSchema) -> tuple[frozenset, frozenset]:
    """(mutations that require a key, mutations that accept one), read from the schema's own descriptions."""
    required, supported = set(), set()
    for name, definition in schema.mutation_type.fields.items():
        text = (definition.description or "").lower()
        if "@idempotent" in text or "idempotency key" in text:
            supported.add(name)
            if "idempotency key is required" in text:
                required.add(name)
    return frozenset(required), frozenset(supported)
