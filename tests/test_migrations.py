"""`alembic upgrade head` and `downgrade base` on empty SQLite and PostgreSQL."""

import os

import pytest
from sqlalchemy import create_engine, inspect

from app.config import normalized_database_url
from app.db import Base
from app.migrations import downgrade, upgrade
from tests.conftest import postgres_database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    url = postgres_database_url(f"stockout_migrations_{os.environ.get('TEST_DB_SUFFIX', 'main')}")
    downgrade(url)
    return url


def test_upgrade_creates_every_model_table_then_downgrade_removes_them(empty_database):
    upgrade(empty_database)
    engine = create_engine(normalized_database_url(empty_database))
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    downgrade(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    downgrade(empty_database)
    engine.dispose()


def test_models_and_migrations_agree(empty_database):
    """Autogenerate finds nothing to add: the migration matches the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(empty_database)
    engine = create_engine(normalized_database_url(empty_database))
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    downgrade(empty_database)
    assert [d for d in diff if d[0] in {"add_table", "remove_table", "add_column", "remove_column"}] == []


def test_every_table_but_shops_belongs_to_a_shop():
    for name, table in Base.metadata.tables.items():
        if name == "shops":
            continue
        assert "shop_id" in table.columns, name
        assert not table.columns["shop_id"].nullable, name
