"""Small database moves shared by the stockout modules: insert-or-ignore and locked reads."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_or_ignore(session: Session, model: type, values: dict, keys: list[str]) -> int | None:
    """Insert a row unless one with the same unique `keys` exists; the new row's id, or None if it existed.

    Concurrent inserters of the same keys wait for the first to commit, then do nothing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys).returning(model.id)
    return session.execute(statement).scalar()
