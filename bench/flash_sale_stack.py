"""The flash sale's stage: database, Redis, SMTP, Twilio, the store emulator, gunicorn and named workers."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from redis import Redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update

from bench import stack
from bench.catalogue_stack import add_products, open_store
from app import create_app, db
from app.config import Settings
from app.models import Notification, ShopSettings, WebhookEvent
from app.shopify.install import install_from_session_token
from tests.conftest import SHARED_DIR
from tests.stockout.live import CLIENT_ID, CLIENT_SECRET, SHOP
from tests.support.sms_provider import FakeTwilio

DATABASE = os.environ.get("BENCH_DATABASE", "stockout_bench_flash")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
FROM_NUMBER = "+15005550006"
QUEUES = ("webhooks", "notifications", "default", "low")
# Shopify retries a failed delivery 19 times over 48 hours; the emulator keeps the first steps of such a ladder.
RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30, 60, 60, 60)


@dataclass
class Stage:
    """Everything running for one flash sale, and handles to look at it."""

    settings: Settings
    app: object
    store: object
    smtp: stack.SmtpProcess
    twilio: FakeTwilio
    redis: Redis
    env: dict
    port: int
    shop_id: int = 0
    web: object = None
    workers: dict = field(default_factory=dict)
    retired: dict = field(default_factory=dict)
    own_redis: stack.RedisServer | None = None
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="flash-sale-")))

    @property
    def shop(self):
        return self.store.emulator.store.shop(SHOP)

    def log(self, name: str):
        return open(self.logs / f"{name}.log", "ab")

    def start_worker(self, name: str) -> None:
        self.workers[name] = stack.start_worker(self.env, name, log=self.log(name))

    def supervise(self) -> list[str]:
        """Start a worker again whose process ended, as a process supervisor would; the names that ended."""
        ended = [name for name, process in self.workers.items() if process.poll() is not None]
        for name in ended:
            self.retired[name] = self.workers.pop(name).returncode
            self.start_worker(f"{name.split('+')[0]}+{len(self.retired)}")
        return ended

    def wait_workers(self, count: int) -> None:
        stack.wait_until(lambda: len(self.rq_workers()) >= count, 60, "workers did not register")

    def rq_workers(self) -> list[Worker]:
        found = Worker.all(connection=self.redis, serializer=JSONSerializer)
        return [w for w in found if w.name.startswith("flash-")]

    def queues_idle(self) -> bool:
        for name in QUEUES:
            if Queue(name, connection=self.redis).count or StartedJobRegistry(name, connection=self.redis).count:
                return False
        return True

    def events_pending(self) -> int:
        """Webhook events recorded but not yet handled (a retry may be scheduled for them)."""
        with self.app.app_context():
            found = db.session().scalar(select(func.count()).select_from(WebhookEvent).where(
                WebhookEvent.status == "pending"))
            db.session().rollback()
        return found

    def messages_pending(self) -> int:
        """Messages due now that are not handed over yet (a send may be waiting for its retry)."""
        with self.app.app_context():
            found = db.session().scalar(select(func.count()).select_from(Notification).where(
                Notification.shop_id == self.shop_id, Notification.status.in_(("queued", "sending"))))
            db.session().rollback()
        return found

    def failed_jobs(self) -> int:
        return sum(FailedJobRegistry(name, connection=self.redis).count for name in QUEUES)

    def close(self) -> None:
        """Stop everything that was started, each part whatever became of the others."""
        steps = [lambda p=p: stack.stop(p) for p in list(self.workers.values()) + ([self.web] if self.web else [])]
        steps += [self.store.close, lambda: self.twilio.__exit__(None, None, None),
                  lambda: self.smtp.__exit__(None, None, None)]
        if self.own_redis:
            steps += [self.own_redis.close, lambda: shutil.rmtree(self.own_redis.directory, ignore_errors=True)]
        else:
            steps.append(self.redis.flushdb)
        for step in steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001 - the rest must still stop
                print(f"   while stopping: {type(error).__name__}: {error}", flush=True)


def settings_for(database_url: str, redis_url: str, store_url: str, port: int, smtp, twilio,
                 sms_rate: float) -> Settings:
    return Settings(
        env="test", secret_key="bench-secret", app_url=f"http://127.0.0.1:{port}", database_url=database_url,
        redis_url=redis_url, token_encryption_keys=(Fernet.generate_key().decode(),), shopify_api_key=CLIENT_ID,
        shopify_api_secret=CLIENT_SECRET, shopify_api_base_url=store_url, shopify_shared_dir=str(SHARED_DIR),
        log_level="WARNING", email_backend="smtp", smtp_host=smtp.host, smtp_port=smtp.port,
        email_from_address="notices@concierge.example", sms_provider="twilio",
        twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token, twilio_from_number=FROM_NUMBER,
        twilio_base_url=twilio.base_url, sms_rate_per_second=sms_rate,
    )


def build(*, own_redis: bool, sms_rate: float, webhook_threads: int) -> Stage:
    """Start everything but the workers; the shop is installed, quiet hours off, SMS on."""
    server = None
    redis_url = REDIS_URL
    if own_redis:
        server = stack.RedisServer(Path(tempfile.mkdtemp(prefix="flash-redis-"))).start()
        redis_url = server.url
    database_url = stack.fresh_database(DATABASE, redis_url)
    smtp = stack.SmtpProcess().__enter__()
    twilio = FakeTwilio(per_second=sms_rate).__enter__()
    store = open_store(WEBHOOK_WORKERS=webhook_threads, WEBHOOK_RETRY_DELAYS=RETRY_DELAYS)
    store.control("POST", "/reset")
    store.control("POST", "/seed")
    port = stack.free_port()
    settings = settings_for(database_url, redis_url, store.url, port, smtp, twilio, sms_rate)
    store.control("POST", "/app", app_url=settings.app_url)
    stage = Stage(settings, create_app(settings), store, smtp, twilio, Redis.from_url(redis_url),
                  stack.app_environment(settings), port, own_redis=server)
    stage.web = stack.start_web(stage.env, port, log=stage.log("web"))
    with stage.app.app_context():
        shop = install_from_session_token(store.control("POST", "/session-token", shop=SHOP)["token"])
        stage.shop_id = shop.id
        db.session().execute(update(ShopSettings).where(ShopSettings.shop_id == shop.id).values(
            quiet_hours_start=0, quiet_hours_end=0, sms_enabled=True, sender_name="Demo Apparel"))
        db.session().commit()
    return stage


def flash_variants(stage: Stage, count: int, units: int) -> list[tuple[int, int, int]]:
    """`count` single-variant products with `units` in stock each: (product, variant, item) ids."""
    return add_products(stage.store, count, units=units, prefix="Flash")


def settle(stage: Stage, timeout: float) -> None:
    """Until the emulator has nothing to send and the workers nothing to do, twice in a row."""
    def quiet() -> bool:
        return (stage.store.emulator.dispatcher.wait_idle(0.2) and stage.queues_idle() and not stage.events_pending()
                and not stage.messages_pending())

    stack.wait_until(lambda: quiet() and (time.sleep(1) or quiet()), timeout, "the stack did not settle", step=0.5)
