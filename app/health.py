"""/healthz: the app can reach its database and Redis."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import db, queues

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503


def _check_database() -> str:
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as exc:
        return f"error: {exc.__class__.__name__}"


def _check_redis() -> str:
    try:
        queues.redis().ping()
        return "ok"
    except RedisError as exc:
        return f"error: {exc.__class__.__name__}"
