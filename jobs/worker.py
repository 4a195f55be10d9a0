"""The RQ worker: runs every job inside the app context, notices dead workers fast, outlives a Redis outage."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time

from flask import Flask
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job, JobStatus
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock
from rq.utils import current_timestamp, parse_composite_key

from app import queues

log = logging.getLogger("jobs")

REDIS_LOST = (RedisConnectionError, RedisTimeoutError)
REDIS_RETRY_MAX_SECONDS = 2.0


class _AppContextMixin:
    """Push the Flask app context around each job, log failures with their ids, and outlive a Redis outage."""

    app: Flask
    heartbeat_grace: int
    # RQ's idle loop retries a lost connection with a backoff of up to 60 s; a worker should be back within
    # seconds of Redis.
    max_connection_wait_time = REDIS_RETRY_MAX_SECONDS

    def work(self, burst: bool = False, **kwargs) -> bool:
        """RQ's work loop, which a lost Redis no longer ends: the worker waits for Redis and takes up its work.

        RQ quits its loop on an error it does not expect, a lost connection included (its teardown then fails on
        Redis too). A supervisor restarting the process finds the interrupted job still marked as started, so its
        fixed-id successor is refused as a duplicate until the job's heartbeat lapses, and the scheduler's locks
        are held by a scheduler that is gone. Instead this worker waits for Redis, settles what its previous round
        left (its interrupted job goes back to the front of its queue, its scheduler's locks are released), asks
        the app to make up for what the outage cost, and enters RQ's loop again. A burst worker still quits.
        """
        if burst:
            self._take_over_from_the_dead()
            return super().work(burst=True, **kwargs)
        worked, started = False, False
        while True:
            try:
                if started:
                    self._rejoin()
                else:
                    self._take_over_from_the_dead()
                    started = True
                worked = super().work(**kwargs) or worked
                if self._stop_requested or self._redis_answers():
                    return worked
                log.warning("worker lost Redis", extra={"worker": self.name})
            except REDIS_LOST as error:
                log.warning("worker lost Redis", extra={"worker": self.name, "error": str(error)})
            if not self._wait_for_redis():
                return worked

    def _redis_answers(self) -> bool:
        try:
            return bool(self.connection.ping())
        except RedisError:
            return False

    def _wait_for_redis(self) -> bool:
        """Wait until Redis answers (True) or the worker is asked to stop (False)."""

        def stop(_signum, _frame) -> None:
            self._stop_requested = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if not wait_for_redis(self.connection, stopped=lambda: self._stop_requested):
            return False
        log.warning("Redis answers again; the worker resumes", extra={"worker": self.name})
        return True

    def _rejoin(self) -> None:
        """Close the books of the round that lost Redis, so that RQ's loop can start again under the same name."""
        if self.horse_pid:
            self.wait_for_horse()  # a forked work-horse still running its job records the outcome itself
            self._horse_pid = 0
        if self.pubsub_thread:
            self.pubsub_thread.stop()  # it ends at its next wake-up and closes its own connection
            self.pubsub_thread = None
        if self.scheduler:
            if self.scheduler._process and self.scheduler._process.is_alive():
                self.stop_scheduler()
            self.scheduler.release_locks()  # checked against its own token: another scheduler's lock stays
        interrupted = list(self.executions.values())
        self.executions.clear()
        for execution in interrupted:
            self._put_back(execution)
        self._settle_abandoned()
        self.register_death()  # of the round that lost Redis, so that register_birth accepts the name again
        with self.app.app_context():
            try:
                from jobs.schedule import resume_after_redis_outage

                resume_after_redis_outage()
            except Exception:  # noqa: BLE001 - the worker goes on; the sweeper's next tick does the same
                log.exception("resuming after the Redis outage failed", extra={"worker": self.name})

    def _take_over_from_the_dead(self) -> None:
        """At start: settle the jobs of dead workers, free this worker's name if a dead process still holds it
        (RQ would refuse the name until that registration expired), and release the scheduler locks of a dead
        scheduler (until they expired, no scheduler would move due jobs: retries of abandoned jobs, periodic ticks).
        """
        self._settle_abandoned()
        if self.connection.exists(self.key) and not self._worker_alive(self.name):
            self.register_death()
        for queue in self.queues:
            lock_key = RQScheduler.get_locking_key(queue.name)
            owner = self.connection.get(lock_key)
            if owner and _process_gone(self.connection.hgetall(SCHEDULER_KEY_TEMPLATE % owner.decode())):
                release_lock(self.connection, lock_key, owner.decode())
                log.warning("scheduler lock of a dead scheduler released", extra={"queue": queue.name})

    def _settle_abandoned(self) -> None:
        """Jobs started by a worker that is gone are handled as abandoned now, not when their heartbeat lapses:
        RQ's abandoned-job handling (retried if they have retries left) for the jobs of a worker that registered
        its death, or that ran on this host under a process that no longer runs (a predecessor with this name)."""
        dead = []
        for queue in self.queues:
            registry = queue.started_job_registry
            for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
                try:
                    execution = Execution.fetch(execution_id, job_id, self.connection)
                except ValueError:
                    continue  # its heartbeat lapsed already: RQ's registry cleaning takes it
                if execution.worker_name and not self._worker_alive(execution.worker_name):
                    dead.append((registry, execution))
        for registry, execution in dead:
            self.connection.zadd(registry.key, {execution.composite_key: 0}, xx=True)
        if dead:
            log.warning("jobs of dead workers handled as abandoned",
                        extra={"worker": self.name, "job_ids": [e.job_id for _r, e in dead]})
            self.clean_registries()

    def clean_registries(self) -> None:
        """RQ's registry cleaning, which leaves an abandoned job's execution listed under the job: the job's retry
        then fails as it ends (RQ looks every listed execution up, and this one has expired). Drop those too."""
        expired = [entry for queue in self.queues
                   for entry in self.connection.zrangebyscore(queue.started_job_registry.key, 0, current_timestamp())]
        super().clean_registries()
        if not expired:
            return
        with self.connection.pipeline() as pipeline:
            for entry in expired:
                job_id, execution_id = parse_composite_key(entry.decode())
                execution = Execution(execution_id, job_id, self.connection)
                pipeline.delete(execution.key)
                ExecutionRegistry(job_id, self.connection).remove(execution, pipeline)
            pipeline.execute()

    def _put_back(self, execution: Execution) -> None:
        """Requeue a job this process was running when Redis went away at the front of its queue, without spending
        one of its retries (the job ended here; only its outcome could not be recorded). The ZREM claims it."""
        try:
            job = Job.fetch(execution.job_id, connection=self.connection, serializer=self.serializer)
        except NoSuchJobError:
            return  # nothing to run again; RQ's registry cleaning drops what is left
        if not self.connection.zrem(job.started_job_registry.key, execution.composite_key):
            return  # RQ's registry cleaning handled it already
        with self.connection.pipeline() as pipeline:
            execution.delete(job=job, pipeline=pipeline)
            if job.get_status(refresh=False) == JobStatus.STARTED:
                job.started_at = None
                queue = next(q for q in self.queues if q.name == job.origin)
                # The call RQ's own Job.retry makes, without spending one of the job's retries.
                queue._enqueue_job(job, pipeline=pipeline, at_front=True)
            pipeline.execute()
        log.warning("interrupted job requeued", extra={"worker": self.name, "job_id": execution.job_id})

    def _worker_alive(self, name: str) -> bool:
        data = self.connection.hgetall(self.redis_worker_namespace_prefix + name)
        if not data or b"death" in data:
            return False
        if int(data.get(b"pid") or 0) == os.getpid() and name == self.name:
            return False  # this worker's name in this process: a registration left by its last round
        return not _process_gone(data)

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


def wait_for_redis(connection, stopped=lambda: False) -> bool:
    """Ping Redis with a short backoff until it answers (True) or `stopped()` says to give up (False)."""
    wait = 0.25
    while not stopped():
        with contextlib.suppress(RedisError):  # not back yet: ping again after the backoff
            if connection.ping():
                return True
        time.sleep(wait)
        wait = min(wait * 2, REDIS_RETRY_MAX_SECONDS)
    return False


def _process_gone(registration: dict) -> bool:
    """True when a worker's or scheduler's registration names a process of this host that no longer runs;
    a registration from another host, or without a pid, is left to its heartbeat."""
    pid = int(registration.get(b"pid") or 0)
    if not pid or pid == os.getpid() or registration.get(b"hostname", b"").decode() != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        # A killed process stays a zombie until its new parent reaps it: it runs no more.
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


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
    try:
        connection.ping()
    except RedisError as error:
        # RQ's worker talks to Redis as it is made: a worker started while Redis is away waits for it.
        log.warning("Redis does not answer; the worker waits for it", extra={"worker": name, "error": str(error)})
        wait_for_redis(connection)
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
