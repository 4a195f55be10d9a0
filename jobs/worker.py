"""The RQ worker: runs every job inside the app context, notices dead workers fast."""

from __future__ import annotations

import logging

from flask import Flask
from rq import SimpleWorker, Worker
from rq.job import Job

from app import queues

log = logging.getLogger("jobs")


class _AppContextMixin:
    """Push the Flask app context around each job, and log failures with their ids."""

    app: Flask
    heartbeat_grace: int

    def perform_job(self, job: Job, queue, *args, **kwargs) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # RQ adds a fixed 60 s to the heartbeat, and with its 10-minute maintenance interval a job
        # whose worker was SIGKILLed waits ~14 minutes before it runs again. A short grace plus a
        # short maintenance interval brings that under two minutes.
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + self.heartbeat_grace


def _log_failure(job: Job, exc_type, exc_value, _traceback) -> bool:
    log.error(
        "job failed",
        extra={
            "job_id": job.id,
            "job": job.func_name,
            "job_args": job.args,
            "shop_id": (job.kwargs or {}).get("shop_id"),
            "error": f"{exc_type.__name__}: {exc_value}",
            "retries_left": job.retries_left,
        },
    )
    return True


class AppWorker(_AppContextMixin, Worker):
    """Forks a work-horse per job: isolates a crash or a leak, at ~25 ms a job (`python -m app worker --fork`)."""


class AppSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in-process: the default. bench/worker_class.py measured ~80 jobs/s against ~29 for forking,
    and the database pool is never shared across a fork. A job that kills the process is retried like any
    abandoned job (see get_heartbeat_ttl)."""


def make_worker(app: Flask, *, simple: bool = True, queue_names=queues.QUEUE_NAMES, name: str | None = None):
    settings = app.config["SETTINGS"]
    with app.app_context():
        connection = queues.redis()
        worker_queues = [queues.queue(n, connection) for n in queue_names]
    worker_class = AppSimpleWorker if simple else AppWorker
    worker = worker_class(
        worker_queues,
        connection=connection,
        name=name,
        serializer=worker_queues[0].serializer,
        job_monitoring_interval=settings.job_monitoring_interval,
        maintenance_interval=settings.worker_maintenance_interval,
        worker_ttl=max(settings.job_monitoring_interval + settings.job_heartbeat_grace, 20),
        exception_handlers=[_log_failure],
    )
    worker.app = app
    worker.heartbeat_grace = settings.job_heartbeat_grace
    return worker
