"""A local Shopify store emulator: Admin GraphQL, OAuth, session tokens and signed webhooks over real HTTP."""
import os

from flask import Flask, jsonify


def create_app(config: dict | None = None) -> Flask:
    """Build the emulator's WSGI app; nothing happens until this is called."""
    from . import config as settings
    from . import control, control_commerce, control_webhooks, graphql_api, oauth
    from .runtime import Emulator
    from .seed import seed_demo

    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.config.update(settings.build(config, os.environ))
    emulator = Emulator(app.config)
    app.extensions["emulator"] = emulator
    for blueprint in (graphql_api.bp, oauth.bp, control.bp, control_commerce.bp, control_webhooks.bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(404, lambda error: (jsonify(errors="Not Found"), 404))
    if app.config["SEED_DEMO"]:
        seed_demo(emulator.store)
    return app
