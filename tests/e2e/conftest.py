"""End-to-end fixtures: the real server (``python -m app serve``) as a subprocess on a free
loopback port, sharing the test run's environment and so its database, and the command line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One uvicorn process. ``python -m app serve`` runs uvicorn in its own process (one worker,
    no reloader), so :attr:`pid` is the process that answers: SIGKILL hits the server itself."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="jiuzhu-e2e-", suffix=".log")[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env={**os.environ, "JIUZHU_WECHAT_MODE": "fake"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not healthy within {START_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> None:
        """Terminate (graceful shutdown), then kill if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def crash(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing the process could still do."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def close(self) -> None:
        """Stop, and hand the server's log to pytest (shown only when a test failed)."""
        self.stop()
        sys.stderr.write(f"--- server log (tail) ---\n{self.log()}")
        self.log_path.unlink(missing_ok=True)


@pytest.fixture
def server() -> Iterator[Server]:
    """A running server for one test, stopped afterwards."""
    instance = Server()
    instance.start()
    try:
        yield instance
    finally:
        instance.close()


async def cli(*args: str) -> str:
    """Run ``python -m app ARGS`` with the test run's environment; its stdout, or a failure."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        *args,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"app {args[0]} failed: {err.decode()}"
    return out.decode()


async def create_staff(username: str, role: str, region: str) -> None:
    """A staff account made through ``python -m app create-staff``, with the tests' password."""
    out = await cli(
        "create-staff",
        *("--username", username, "--password", PASSWORD),
        *("--role", role, "--region", region, "--display-name", username),
    )
    assert f"staff {username} created" in out
