"""The webhook intake, `POST /webhooks`: verify, record and enqueue (webhooks/recorder.py), answer — nothing else.

The blueprint has no routes: registering it puts the intake (webhooks/front.py) in front of the app's WSGI
callable, so a delivery never goes through Flask's per-request machinery.
"""

from __future__ import annotations

from flask import Blueprint

from webhooks.front import WebhookFront
from webhooks.recorder import Recorder

bp = Blueprint("webhooks", __name__)


@bp.record_once
def _install_intake(state) -> None:
    recorder = Recorder(state.app)
    state.app.extensions["webhooks.recorder"] = recorder
    state.app.wsgi_app = WebhookFront(state.app.wsgi_app, state.app.config["SETTINGS"], recorder)
