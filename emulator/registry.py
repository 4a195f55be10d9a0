"""Which (type, field) pairs the emulator models, and the resolver for each."""
import inspect
import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class FieldSpec:
    resolve: Callable
    args: frozenset | None
    scope: str | None = None


class Registry:
    """Resolvers keyed by GraphQL type and field; anything absent is, loudly, not supported."""

    def __init__(self):
        self._types: dict[str, dict[str, FieldSpec]] = {}

    def field(self, type_name: str, name: str, resolve: Callable, scope: str | None = None) -> None:
        """Register `resolve(obj, info, **args)`; its keyword parameters are the arguments it supports."""
        self._types.setdefault(type_name, {})[name] = FieldSpec(resolve, _arg_names(resolve), scope)

    def fields(self, type_name: str, scope: str | None = None, **resolvers: Callable) -> None:
        for name, resolve in resolvers.items():
            self.field(type_name, name, resolve, scope)

    def attrs(self, type_name: str, *names: str) -> None:
        """Fields read straight off the record (snake_case attribute) or payload dict (same key)."""
        for name in names:
            self.field(type_name, name, _reader(name))

    def get(self, type_name: str, name: str) -> FieldSpec | None:
        return self._types.get(type_name, {}).get(name)

    def models(self, type_name: str) -> bool:
        return type_name in self._types


def _arg_names(resolve: Callable) -> frozenset | None:
    params = list(inspect.signature(resolve).parameters.values())[2:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return frozenset(p.name for p in params)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _reader(name: str) -> Callable:
    attribute = snake(name)

    def read(obj, info):
        return obj[name] if isinstance(obj, dict) else getattr(obj, attribute)
    return read
