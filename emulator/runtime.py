"""The emulator's long-lived parts for one Flask app: config, clock, store, schema access, webhook dispatcher."""
from flask import current_app

from . import schema
from .clock import SystemClock
from .costs import Bucket
from .store import AppRegistration, Store
from .webhooks_out import Dispatcher


class Emulator:
    def __init__(self, config: dict):
        self.config = config
        self.clock = config.get("CLOCK") or SystemClock()
        self.store = Store(self.clock, self.new_bucket)
        self.dispatcher = Dispatcher(retry_delays=config["WEBHOOK_RETRY_DELAYS"], timeout=config["WEBHOOK_TIMEOUT"],
                                     connect_timeout=config["WEBHOOK_CONNECT_TIMEOUT"],
                                     workers=config["WEBHOOK_WORKERS"], max_queue=config["WEBHOOK_QUEUE_SIZE"],
                                     record_limit=config["WEBHOOK_RECORD_LIMIT"])
        if config.get("APP"):
            self.register_app(config["APP"])

    def new_bucket(self) -> Bucket:
        return Bucket(self.config["BUCKET_MAXIMUM"], self.config["BUCKET_RESTORE_RATE"], self.clock)

    def register_app(self, settings: dict) -> AppRegistration:
        known = set(AppRegistration.__dataclass_fields__)
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(f"unknown app settings: {', '.join(unknown)}")
        values = {key: tuple(value) if isinstance(value, list) else value for key, value in settings.items()}
        with self.store.lock:
            current = vars(self.store.app).copy() if self.store.app else {}
            merged = {**current, **values}
            if not merged.get("client_id") or not merged.get("client_secret"):
                raise ValueError("the app needs a client_id and a client_secret")
            self.store.app = AppRegistration(**merged)
            return self.store.app

    def schema(self, version: str):
        return schema.load(self.config["SHOPIFY_SHARED_DIR"], version)

    def deliver_pending(self) -> None:
        """Hand events recorded by the last state change to the webhook dispatcher."""
        events = self.store.take_events()
        if events and self.store.app is not None:
            self.dispatcher.submit(events, self.store.app)

    def close(self) -> None:
        self.dispatcher.close()


def current() -> Emulator:
    return current_app.extensions["emulator"]
