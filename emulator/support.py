"""Static check that every field and argument an operation selects is one the emulator models."""
from graphql import (DocumentNode, GraphQLSchema, TypeInfo, TypeInfoVisitor, Visitor, is_abstract_type,
                     visit)


def unsupported_fields(schema: GraphQLSchema, registry, document: DocumentNode) -> list[dict]:
    """One error per unmodeled field or argument, so nothing runs on made-up data."""
    type_info = TypeInfo(schema)
    checker = _Checker(schema, registry, type_info)
    visit(document, TypeInfoVisitor(type_info, checker))
    return list(checker.errors.values())


class _Checker(Visitor):
    def __init__(self, schema, registry, type_info):
        super().__init__()
        self.schema, self.registry, self.type_info = schema, registry, type_info
        self.errors: dict[str, dict] = {}

    def enter_field(self, node, *_):
        name = node.name.value
        parent = self.type_info.get_parent_type()
        if name.startswith("__") or parent is None:
            return
        for type_name in self._concrete(parent):
            spec = self.registry.get(type_name, name)
            if spec is None:
                self._add(node, f"emulator does not support {type_name}.{name}", type_name, name)
                continue
            for argument in node.arguments or ():
                if spec.args is not None and argument.name.value not in spec.args:
                    self._add(argument, f"emulator does not support argument {type_name}.{name}"
                                        f"({argument.name.value}:)", type_name, name)

    def _concrete(self, parent) -> list[str]:
        if not is_abstract_type(parent):
            return [parent.name]
        modeled = [t.name for t in self.schema.get_possible_types(parent) if self.registry.models(t.name)]
        return modeled or [parent.name]

    def _add(self, node, message, type_name, field_name):
        if message in self.errors:
            return
        error = {"message": message, "extensions": {"code": "EMULATOR_UNSUPPORTED", "typeName": type_name,
                                                    "fieldName": field_name}}
        if node.loc:
            location = node.loc.source.get_location(node.loc.start)
            error["locations"] = [{"line": location.line, "column": location.column}]
        self.errors[message] = error
