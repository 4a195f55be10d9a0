"""Stockout Concierge: the Flask application factory."""

from __future__ import annotations

from flask import Flask

from app.config import INSTANCE_DIR, Settings, settings_from_env


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from the given settings, or from the environment when none are given."""
    settings = settings or settings_from_env()
    if settings.redis_url is None:
        from app import embedded_redis

        settings = settings.replace(redis_url=embedded_redis.ensure_running(INSTANCE_DIR))

    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.webhook_max_body_bytes,
    )

    from app import logs

    logs.configure(settings.log_level)

    from app import db, queues
    from app.crypto import TokenCipher

    db.init_app(app)
    queues.init_app(app)
    app.extensions["stockout.cipher"] = TokenCipher(settings.token_encryption_keys)

    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from app.health import bp as health_bp

    app.register_blueprint(health_bp)
