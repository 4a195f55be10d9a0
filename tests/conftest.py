"""Tests run on the real stack: migrated database, real Redis, real workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.config import REPO_ROOT, Settings, normalized_database_url
from app import models as _every_model  # noqa: F401  (puts every table on the metadata, for emptying them)
from app.db import Base

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASE_BACKEND = os.environ.get("TEST_DATABASE", "postgresql")
SHARED_DIR = Path(os.environ.get("SHOPIFY_SHARED_DIR", REPO_ROOT.parent / "shared"))

TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


def postgres_database_url(name: str) -> str:
    """A dedicated database next to the given admin one, created on first use."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.exit(f"PostgreSQL is required at {POSTGRES_ADMIN_URL} and does not answer: {exc.orig}", returncode=3)
    finally:
        admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if DATABASE_BACKEND == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'stockout.sqlite3'}"
    if DATABASE_BACKEND != "postgresql":
        pytest.exit(f"TEST_DATABASE must be 'postgresql' or 'sqlite', not {DATABASE_BACKEND!r}", returncode=4)
    return postgres_database_url(f"stockout_test_{os.environ.get('TEST_DB_SUFFIX', 'main')}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        pytest.exit(f"Redis is required at {REDIS_URL} and does not answer: {exc}", returncode=3)
    return REDIS_URL


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    from app.migrations import upgrade

    engine = create_engine(normalized_database_url(database_url))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(database_url)
    return database_url


def make_settings(database_url: str, redis_url: str, **overrides) -> Settings:
    values = dict(
        env="test",
        secret_key="test-secret-key",
        app_url="http://127.0.0.1:5000",
        database_url=database_url,
        redis_url=redis_url,
        token_encryption_keys=(TEST_ENCRYPTION_KEY,),
        shopify_api_key="test-client-id",
        shopify_api_secret="test-client-secret",
        shopify_shared_dir=str(SHARED_DIR),
        log_level="WARNING",
        notice_settle_seconds=0,
        job_monitoring_interval=2,
        job_heartbeat_grace=3,
        worker_maintenance_interval=2,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(migrated_database: str, redis_url: str) -> Settings:
    return make_settings(migrated_database, redis_url)


@pytest.fixture
def app(settings: Settings):
    app = create_app(settings)
    yield app
    _empty_tables(app)
    Redis.from_url(settings.redis_url).flushdb()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Run every queued job to completion with a real (in-process) RQ worker."""
    from jobs.worker import make_worker

    def run(queue_names=None) -> int:
        worker = make_worker(app, simple=True, **({"queue_names": queue_names} if queue_names else {}))
        before = sum(q.finished_job_registry.count for q in worker.queues)
        worker.work(burst=True, with_scheduler=False)
        return sum(q.finished_job_registry.count for q in worker.queues) - before

    return run


def _empty_tables(app) -> None:
    engine = app.extensions["stockout.engine"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED_DIR / "shopify").is_dir():
        pytest.skip(f"../shared/shopify is absent ({SHARED_DIR}); Shopify schema and samples are read from there")
    return SHARED_DIR
