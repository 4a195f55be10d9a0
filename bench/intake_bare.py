"""The intake benchmark's baseline: a Flask endpoint that only answers 200, served by the same gunicorn."""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks")
    def receive():
        return "", 200

    return app
