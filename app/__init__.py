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
    """The edges: health, install, webhooks, the embedded admin, and the customer-facing pages."""
    from app.admin.blueprint import make_blueprint as make_admin_blueprint
    from app.auth import bp as auth_bp
    from app.choices.views import bp as choices_bp
    from app.health import bp as health_bp
    from app.inbound.views import bp as inbound_bp
    from app.storefront.views import bp as storefront_bp
    from webhooks import bp as webhooks_bp

    for blueprint in (health_bp, auth_bp, webhooks_bp, make_admin_blueprint(), choices_bp, storefront_bp, inbound_bp):
        app.register_blueprint(blueprint)
