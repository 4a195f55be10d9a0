"""Refusing input fields the emulator does not model, unless left at null or the schema's default."""
from graphql import GraphQLError, value_from_ast
from graphql.pyutils import Undefined


def refuse_unsupported(info, data: dict, type_name: str, allowed: set) -> None:
    """Fail loudly when `data` sets an input field of `type_name` outside `allowed`."""
    input_type = info.schema.get_type(type_name)
    for key, value in data.items():
        if key in allowed or value is None:
            continue
        field = input_type.fields.get(key) if input_type else None
        if field is not None and value == _default(field):
            continue
        raise GraphQLError(f"emulator does not support {type_name}.{key}")


def _default(field):
    if field.default_value is not Undefined:
        return field.default_value
    node = field.ast_node.default_value if field.ast_node is not None else None
    return value_from_ast(node, field.type) if node is not None else Undefined
