"""Every document in app/shopify/documents.py is valid against the real Admin schema (2026-07)."""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from app.config import Settings
from app.shopify import documents
from app.shopify.client import operation_name

DOCUMENTS = {
    name: value
    for name, value in vars(documents).items()
    if name.isupper() and isinstance(value, str) and value.lstrip().startswith(("query", "mutation"))
}


@pytest.fixture(scope="session")
def schema(shared_dir) -> GraphQLSchema:
    version = Settings().shopify_api_version
    sdl = (shared_dir / "shopify" / "admin-schema" / f"admin-{version}.graphql").read_text(encoding="utf-8")
    return build_schema(sdl, assume_valid=True)


def test_the_module_holds_the_documents_the_product_needs():
    assert len(DOCUMENTS) >= 25
    for needed in ("SHOP_FACTS", "PRODUCT_FOR_CATALOGUE", "REFUND_CREATE", "ORDER_EDIT_COMMIT", "TAGS_ADD"):
        assert needed in DOCUMENTS


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_the_admin_schema(schema, name):
    errors = validate(schema, parse(DOCUMENTS[name]))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_one_named_operation(name):
    definitions = parse(DOCUMENTS[name]).definitions
    assert len(definitions) == 1 and isinstance(definitions[0], OperationDefinitionNode)
    assert definitions[0].name is not None
    assert operation_name(DOCUMENTS[name])[1] == definitions[0].name.value


def test_operation_names_are_unique():
    names = [operation_name(d)[1] for d in DOCUMENTS.values()]
    assert len(names) == len(set(names))


def test_mutations_shopify_requires_to_be_idempotent_carry_our_key(schema):
    required = {
        name
        for name, field in schema.mutation_type.fields.items()
        if "idempotency key is required" in (field.description or "").lower()
    }
    used = [d for d in DOCUMENTS.values() if any(re.search(rf"\b{m}\s*\(", d) for m in required)]
    assert used, "refundCreate at least needs @idempotent"
    for document in used:
        assert "@idempotent(key: $idempotencyKey)" in document
        assert "$idempotencyKey: String!" in document
