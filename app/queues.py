"""RQ on Redis: queues by priority, enqueueing by dotted path with JSON-safe arguments."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

QUEUE_NAMES = ("webhooks", "notifications", "default", "low")

DEFAULT_RETRY = Retry(max=5, interval=[5, 15, 60, 300, 900])


def init_app(app: Flask) -> None:
    url = app.config["SETTINGS"].redis_url
    app.extensions["stockout.redis"] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)


def redis() -> Redis:
    return current_app.extensions["stockout.redis"]


def queue(name: str, connection: Redis | None = None) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection or redis(), serializer=JSONSerializer)


def enqueue(
    queue_name: str,
    func_path: str,
    *args,
    job_id: str | None = None,
    delay: timedelta | None = None,
    retry: Retry | None = DEFAULT_RETRY,
    timeout: int = 120,
    **kwargs,
):
    """Enqueue a job by the dotted path of a plain function; arguments must be JSON-safe ids."""
    target = queue(queue_name)
    options = dict(job_id=job_id, retry=retry, job_timeout=timeout, result_ttl=300, failure_ttl=7 * 86400)
    if delay is not None:
        return target.enqueue_in(delay, func_path, args=args, kwargs=kwargs, **options)
    return target.enqueue(func_path, args=args, kwargs=kwargs, **options)
