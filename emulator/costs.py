"""Shopify's calculated query cost and the per-shop leaky bucket that pays for it."""
import threading
from dataclasses import dataclass

from graphql import (FieldNode, FragmentSpreadNode, GraphQLSchema, InlineFragmentNode, OperationDefinitionNode,
                     OperationType, get_named_type, is_leaf_type)
from graphql.execution.values import get_argument_values

MUTATION_COST = 10


def query_cost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict, variables: dict,
               data: dict | None = None) -> int:
    """Requested cost (data=None: connections priced at first/last) or actual cost (priced at what came back)."""
    is_mutation = operation.operation == OperationType.MUTATION
    root = schema.mutation_type if is_mutation else schema.query_type
    walker = _Walker(schema, fragments, variables)
    if data is None:
        return walker.selection(root, operation.selection_set, None, root_cost=MUTATION_COST if is_mutation else None)
    return walker.selection(root, operation.selection_set, data, root_cost=MUTATION_COST if is_mutation else None,
                            actual=True)


class _Walker:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def selection(self, parent_type, selection_set, data, *, root_cost=None, actual=False) -> int:
        total = 0
        for field_node, field_def in self._fields(parent_type, selection_set):
            named = get_named_type(field_def.type)
            if is_leaf_type(named):
                continue
            key = field_node.alias.value if field_node.alias else field_node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if actual and isinstance(data, dict) and key not in data:
                continue
            if named.name.endswith("Connection") and field_node.selection_set:
                total += self._connection(named, field_def, field_node, value, actual)
                continue
            own = root_cost if root_cost is not None else 1
            if actual and value is None:
                total += own
                continue
            child = value[0] if isinstance(value, list) and value else value
            if actual and isinstance(value, list) and not value:
                total += own
                continue
            total += own + self.selection(named, field_node.selection_set, child, actual=actual)
        return total

    def _connection(self, connection_type, field_def, field_node, value, actual) -> int:
        if actual:
            if value is None:
                return 2
            items = value.get("edges") or value.get("nodes") or []
            size = len(items)
        else:
            args = get_argument_values(field_def, field_node, self.variables)
            size = args.get("first") or args.get("last") or 0
        per_item = 0
        for inner_node, inner_def in self._fields(connection_type, field_node.selection_set):
            inner_name = inner_node.name.value
            if inner_name not in ("edges", "nodes"):
                continue
            item_type = get_named_type(inner_def.type)
            sample = None
            if actual and value is not None:
                key = inner_node.alias.value if inner_node.alias else inner_name
                listed = value.get(key) or []
                sample = listed[0] if listed else None
            per_item = max(per_item, self.selection(item_type, inner_node.selection_set, sample, actual=actual)
                           if inner_name == "edges" else 1 + self.selection(item_type, inner_node.selection_set,
                                                                             sample, actual=actual))
        return 2 + size * per_item

    def _fields(self, parent_type, selection_set):
        """(field node, field definition) pairs under a selection set, fragments flattened."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                fields = getattr(parent_type, "fields", {})
                if name in fields:
                    yield selection, fields[name]
            elif isinstance(selection, InlineFragmentNode):
                target = (self.schema.get_type(selection.type_condition.name.value)
                          if selection.type_condition else parent_type)
                yield from self._fields(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                yield from self._fields(self.schema.get_type(fragment.type_condition.name.value),
                                        fragment.selection_set)


@dataclass
class Bucket:
    """A leaky bucket of cost points: drains by each query's cost, refills at `restore_rate` per second."""
    maximum: float
    restore_rate: float
    clock: object
    available: float = -1.0
    updated: float = 0.0

    def __post_init__(self):
        self._lock = threading.Lock()
        if self.available < 0:
            self.available = self.maximum
        self.updated = self.clock.timestamp()

    def _refill(self) -> None:
        now = self.clock.timestamp()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def take(self, cost: int) -> bool:
        """Pay `cost` up front if the bucket holds enough; otherwise leave it untouched."""
        with self._lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self.available = min(self.maximum, self.available + max(points, 0))

    def configure(self, maximum: float, restore_rate: float, available: float | None = None) -> None:
        with self._lock:
            self.maximum, self.restore_rate = float(maximum), float(restore_rate)
            self.available = float(maximum if available is None else available)
            self.updated = self.clock.timestamp()

    def status(self) -> dict:
        with self._lock:
            self._refill()
            return {"maximumAvailable": self.maximum, "currentlyAvailable": round(self.available, 1),
                    "restoreRate": self.restore_rate}
