"""Parse and validate operations against the schema once per document text, answering errors as Shopify does."""
import re
from dataclasses import dataclass
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate

from .support import unsupported_fields

_REWRITES = (
    (re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\..*", re.S),
     "Field '{field}' doesn't exist on type '{type}'", "undefinedField",
     lambda m: {"typeName": m["type"], "fieldName": m["field"]}),
    (re.compile(r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\..*", re.S),
     "Field '{field}' doesn't accept argument '{arg}'", "argumentNotAccepted",
     lambda m: {"name": m["field"], "typeName": "Field", "argumentName": m["arg"]}),
    (re.compile(r"^Argument '(?P<type>\w+)\.(?P<field>\w+)\((?P<arg>\w+):\)' of type '.*' is required, "
                r"but it was not provided\.$"),
     "Field '{field}' is missing required arguments: {arg}", "missingRequiredArguments",
     lambda m: {"className": "Field", "name": m["field"], "arguments": m["arg"]}),
    (re.compile(r"^Field '(?P<field>\w+)' of type '(?P<type>.+)' must have a selection of subfields\..*", re.S),
     "Field must have selections (field '{field}' returns {type} but has no selections. "
     "Did you mean '{field} {{ ... }}'?)", "selectionMismatch", lambda m: {"nodeName": f"field '{m['field']}'"}),
    (re.compile(r"^Unknown type '(?P<type>\w+)'\..*", re.S),
     "No such type {type}, so it can't be a fragment condition", "undefinedType", lambda m: {"typeName": m["type"]}),
    (re.compile(r"^Variable '\$(?P<var>\w+)' of type '(?P<have>.+)' used in position expecting type '(?P<want>.+)'\.$"),
     "Nullability mismatch on variable ${var} and argument (expected {want}, got {have})", "variableMismatch",
     lambda m: {"variableName": m["var"], "typeName": m["have"]}),
)


@dataclass(frozen=True)
class Prepared:
    """A document ready to run, or the errors that stop it."""
    document: DocumentNode | None
    errors: tuple[dict, ...]


def prepare(schema: GraphQLSchema, registry, query: str) -> Prepared:
    """Parse, validate and check emulator support; cached per (schema, document text)."""
    return _prepare(schema, registry, query)


@lru_cache(maxsize=2048)
def _prepare(schema: GraphQLSchema, registry, query: str) -> Prepared:
    try:
        document = parse(query)
    except GraphQLError as error:
        return Prepared(None, (_syntax_error(error),))
    errors = validate(schema, document)
    if errors:
        return Prepared(None, tuple(shape_validation_error(e) for e in errors))
    missing = unsupported_fields(schema, registry, document)
    return Prepared(None if missing else document, tuple(missing))


def _syntax_error(error: GraphQLError) -> dict:
    location = error.locations[0] if error.locations else None
    where = f" at [{location.line}, {location.column}]" if location else ""
    shaped = {"message": f"syntax error, {error.message.removeprefix('Syntax Error: ')}{where}",
              "extensions": {"code": "parseError"}}
    if location:
        shaped["locations"] = [{"line": location.line, "column": location.column}]
    return shaped


def shape_validation_error(error: GraphQLError) -> dict:
    """graphql-core's validation error in graphql-ruby's words and codes, as Shopify answers."""
    message, extensions = error.message, {"code": "validationError"}
    for pattern, template, code, details in _REWRITES:
        match = pattern.match(error.message)
        if match:
            message = template.format(**match.groupdict())
            extensions = {"code": code, **details(match)}
            break
    shaped = {"message": message}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    shaped["extensions"] = extensions
    return shaped
