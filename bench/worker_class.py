"""Forking worker vs in-process worker: jobs per second on a small real job.

    .venv/bin/python -m bench.worker_class [--jobs 400]

Uses the PostgreSQL at 127.0.0.1:5432 (database test) and Redis db 12; prints one line per worker class.
"""

from __future__ import annotations

import argparse
import time

from cryptography.fernet import Fernet
from redis import Redis

from app import create_app
from app.config import Settings
from app.migrations import upgrade
from jobs.worker import make_worker

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/12"


def measure(app, simple: bool, jobs: int) -> float:
    with app.app_context():
        from app import queues

        for _ in range(jobs):
            queues.enqueue("low", "jobs.housekeeping.prune_webhook_bodies", retry=None)
    worker = make_worker(app, simple=simple)
    started = time.perf_counter()
    worker.work(burst=True, with_scheduler=False)
    return jobs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=400)
    jobs = parser.parse_args().jobs
    upgrade(DATABASE_URL)
    settings = Settings(env="test", secret_key="bench", database_url=DATABASE_URL, redis_url=REDIS_URL,
                        token_encryption_keys=(Fernet.generate_key().decode(),), shopify_api_key="bench",
                        shopify_api_secret="bench-secret", log_level="WARNING")
    app = create_app(settings)
    Redis.from_url(REDIS_URL).flushdb()
    for simple in (False, True, False, True):
        name = "SimpleWorker (in-process)" if simple else "Worker (fork per job)"
        print(f"{name:28s} {measure(app, simple, jobs):8.1f} jobs/s over {jobs} jobs")


if __name__ == "__main__":
    main()
