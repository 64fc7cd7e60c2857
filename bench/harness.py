"""Servers as subprocesses on loopback, a concurrent httpx load driver, latency statistics."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes in a process group (a server and its
    workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pids_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each live process in ``pids``."""
    seconds: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    pgid: int

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.pgid)


@contextmanager
def server(
    args: list[str], env: dict[str, str], port: int, log_path: Path, name: str
) -> Iterator[Server]:
    """Start ``python ARGS`` in its own process group; yield it once /healthz answers; stop
    the group (and only it) afterwards."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {log_path}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start within 60 s; see {log_path}")
            time.sleep(0.2)
        yield Server(base, proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    expect: int = 200


@dataclass
class Result:
    latencies: list[float]
    elapsed: float
    failures: list[str]
    # CPU milliseconds per request: client, server, PostgreSQL backends.
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (seconds), ``q`` in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


async def drive(
    base_url: str, make: Callable[[int], Request], total: int, concurrency: int
) -> Result:
    """Send ``total`` requests built by ``make(i)``, ``concurrency`` in flight over keep-alive
    connections; a request fails on a transport error or an unexpected status."""
    counter = itertools.count()
    latencies: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while (i := next(counter)) < total:
                request = make(i)
                started = time.perf_counter()
                try:
                    response = await client.request(
                        request.method, request.path, headers=request.headers, json=request.json
                    )
                except httpx.HTTPError as exc:
                    failures.append(f"{request.method} {request.path}: {exc!r}")
                    continue
                latencies.append(time.perf_counter() - started)
                if response.status_code != request.expect:
                    failures.append(
                        f"{request.method} {request.path}: {response.status_code} "
                        f"{response.text[:300]}"
                    )

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(latencies, elapsed, failures)


def run(coro: Any) -> Any:
    """``asyncio.run`` on uvloop when it is installed (a lighter client)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
