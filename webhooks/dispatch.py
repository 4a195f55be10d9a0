"""Asking for a shop's drain job: one queued or running per shop, and no event missed while one finishes.

Each shop has a small state in Redis, changed only by the scripts below:
absent (no drain) -> "queued" (a drain job was enqueued) -> "running" -> "again" (events arrived while it ran).
The drain sets "running" before every query for ready events, so anything committed before that is seen;
when a query finds nothing it ends only if no request came meanwhile ("again"), atomically with clearing the state.
RQ's fixed job id with unique=True keeps a second copy of the job out of the queue.
"""

from __future__ import annotations

import logging
from typing import Iterable, Mapping

from redis import Redis
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from app import queues

log = logging.getLogger("webhooks.dispatch")

DRAIN_FUNCTION = "jobs.events.drain_shop"
DRAIN_TIMEOUT = 300
QUEUED_TTL = 60
RUNNING_TTL = 120

_WAITING = {JobStatus.CREATED, JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED,
            JobStatus.RATE_LIMITED, JobStatus.READY_TO_ENQUEUE}
_OVER = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}

_REQUEST = """
local needed = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('GET', key)
  needed[i] = 0
  if state == 'running' then
    redis.call('SET', key, 'again', 'KEEPTTL')
  elseif state ~= 'again' and state ~= 'queued' then
    redis.call('SET', key, 'queued', 'EX', ARGV[1])
    needed[i] = 1
  end
end
return needed
"""

_FINISH = """
if redis.call('GET', KEYS[1]) == 'again' then
  redis.call('SET', KEYS[1], 'running', 'EX', ARGV[1])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""


def state_key(shop_id: int) -> str:
    return f"intake:drain:{shop_id}"


def drain_job_ids(shop_id: int) -> tuple[str, str]:
    """The shop's drain job id, and a relay id used while the first one's job is still finishing."""
    return f"drain-{shop_id}", f"drain-{shop_id}-relay"


def request_drain(shop_id: int, table: Mapping[str, str] | None = None) -> bool:
    """Make sure a drain will look at the shop's newly recorded events; True when a job was enqueued."""
    return bool(request_drains([shop_id], table))


def request_drains(shop_ids: Iterable[int], table: Mapping[str, str] | None = None) -> list[int]:
    """request_drain for several shops, asking Redis about all of them in one script call (one round trip,
    where a pipeline of scripts costs a second one to check they are loaded); the shops whose job was enqueued."""
    ordered = sorted(set(shop_ids))
    needed = queues.redis().register_script(_REQUEST)(keys=[state_key(shop_id) for shop_id in ordered],
                                                     args=[QUEUED_TTL])
    return [shop_id for shop_id, needs_job in zip(ordered, needed) if needs_job and enqueue_drain(shop_id, table)]


def hand_over(shop_id: int, table: Mapping[str, str] | None = None) -> bool:
    """A drain out of time queues its successor (behind other shops' jobs) and stops."""
    queues.redis().set(state_key(shop_id), "queued", ex=QUEUED_TTL)
    return enqueue_drain(shop_id, table)


def mark_running(shop_id: int) -> None:
    queues.redis().set(state_key(shop_id), "running", ex=RUNNING_TTL)


def keep_draining(shop_id: int) -> bool:
    """Called by a drain that found nothing to do: True if events were recorded meanwhile, else it may end."""
    return bool(queues.redis().register_script(_FINISH)(keys=[state_key(shop_id)], args=[RUNNING_TTL]))


def resume_drains(shop_ids: Iterable[int], table: Mapping[str, str] | None = None) -> list[int]:
    """After a Redis outage: a drain for each shop that has none waiting or running; the shops given one.

    A shop whose drain job is waiting or started keeps it (an interrupted drain runs again: jobs/worker.py), so
    no relay drain runs beside it. Otherwise any state left is stale (Redis kept the state and lost the job, or
    the web's requests failed while Redis was away) and is dropped before asking: at worst a duplicate is refused.
    """
    connection = queues.redis()
    asked = []
    for shop_id in sorted(set(shop_ids)):
        statuses = {_status(connection, job_id) for job_id in drain_job_ids(shop_id)}
        if statuses & (_WAITING | {JobStatus.STARTED}):
            continue
        connection.delete(state_key(shop_id))
        if request_drain(shop_id, table):
            asked.append(shop_id)
    if asked:
        log.warning("drains requested after a Redis outage", extra={"shop_ids": asked})
    return asked


def enqueue_drain(shop_id: int, table: Mapping[str, str] | None = None) -> bool:
    """Enqueue the shop's drain unless one is already waiting; True when a job was enqueued."""
    queue = queues.queue("webhooks")
    kwargs = {"table": dict(table)} if table else {}
    for job_id in drain_job_ids(shop_id):
        for _attempt in range(3):
            try:
                queue.enqueue(DRAIN_FUNCTION, args=(shop_id,), kwargs=kwargs, job_id=job_id, unique=True,
                              result_ttl=0, failure_ttl=86400, job_timeout=DRAIN_TIMEOUT,
                              retry=Retry(max=3, interval=[5, 30, 120]))
                return True
            except DuplicateJobError:
                status = _status(queue.connection, job_id)
            if status in _WAITING:
                return False
            if status is None or status in _OVER:
                # A finished or failed copy kept by RQ would block the id: make room and try again.
                _delete(queue.connection, job_id)
                continue
            break  # running and about to end: try the relay id
    queue.connection.delete(state_key(shop_id))
    log.warning("both drain jobs of the shop are busy; the sweeper will come back to it", extra={"shop_id": shop_id})
    return False


def _status(connection: Redis, job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=connection, serializer=queues.queue("webhooks", connection).serializer
                         ).get_status(refresh=False)
    except NoSuchJobError:
        return None


def _delete(connection: Redis, job_id: str) -> None:
    try:
        Job.fetch(job_id, connection=connection, serializer=queues.queue("webhooks", connection).serializer).delete()
    except NoSuchJobError:
        return
