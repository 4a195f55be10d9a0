"""An open-loop HTTP/1.1 load generator: requests leave on a fixed schedule whatever the server does.

Latency is measured from each request's scheduled departure, so time spent waiting for a free connection
(queueing in front of a slow server) is counted, not hidden (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 10.0  # Shopify itself gives up after 5 s


@dataclass
class Outcome:
    """What one run at one offered rate produced."""

    offered_rate: float
    sent: int
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0
    acknowledged: list[int] = field(default_factory=list)

    @property
    def achieved_rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    def summary(self) -> dict:
        return {
            "offered_rps": round(self.offered_rate), "achieved_rps": round(self.achieved_rate),
            "ok": self.statuses.get(200, 0), "other_status": {k: v for k, v in self.statuses.items() if k != 200},
            "errors": self.errors, "p50_ms": round(self.percentile(50) * 1000, 1),
            "p90_ms": round(self.percentile(90) * 1000, 1), "p99_ms": round(self.percentile(99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=float("nan")) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else None,
        }


def raw_request(host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Connections:
    """Keep-alive connections, opened on demand up to a limit; a request waits for a free one."""

    def __init__(self, host: str, port: int, limit: int):
        self.host, self.port = host, port
        self.free: asyncio.Queue = asyncio.Queue()
        self.slots = asyncio.Semaphore(limit)

    async def take(self):
        await self.slots.acquire()
        if not self.free.empty():
            return self.free.get_nowait()
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError:
            self.slots.release()
            raise

    def give_back(self, connection, reusable: bool) -> None:
        if reusable:
            self.free.put_nowait(connection)
        else:
            connection[1].close()
        self.slots.release()

    def close(self) -> None:
        while not self.free.empty():
            self.free.get_nowait()[1].close()


async def _exchange(connection, raw: bytes) -> tuple[int, bool]:
    reader, writer = connection
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, keep = 0, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def _send(pool: _Connections, index: int, raw: bytes, due: float, outcome: Outcome) -> None:
    for _attempt in range(2):
        try:
            connection = await pool.take()
        except OSError:
            continue
        try:
            status, keep = await asyncio.wait_for(_exchange(connection, raw), REQUEST_TIMEOUT)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, OSError):
            # Mostly an idle keep-alive connection the server closed: retry once on a fresh one.
            pool.give_back(connection, False)
            continue
        pool.give_back(connection, keep)
        outcome.latencies.append(time.perf_counter() - due)
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if status == 200:
            outcome.acknowledged.append(index)
        return
    outcome.errors += 1


async def _run(host: str, port: int, requests: list[bytes], rate: float, connections: int) -> Outcome:
    pool, outcome = _Connections(host, port, connections), Outcome(rate, len(requests))
    start = time.perf_counter() + 0.05
    tasks, sent = [], 0
    while sent < len(requests):
        now = time.perf_counter()
        due_count = min(len(requests), int((now - start) * rate) + 1) if now >= start else 0
        while sent < due_count:
            tasks.append(asyncio.create_task(_send(pool, sent, requests[sent], start + sent / rate, outcome)))
            sent += 1
        await asyncio.sleep(0.0005)
    await asyncio.gather(*tasks)
    outcome.elapsed = time.perf_counter() - start
    pool.close()
    return outcome


def run(host: str, port: int, requests: list[bytes], rate: float, connections: int = 64) -> Outcome:
    """Send `requests` at `rate` per second (open loop) and collect latencies and statuses."""
    return asyncio.run(_run(host, port, requests, rate, connections))
