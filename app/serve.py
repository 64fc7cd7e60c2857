"""Serving the API: uvicorn's own supervisor, whose workers die with it.

``uvicorn --workers N`` starts N worker processes and restarts any that dies; but when the
supervisor itself is killed outright (SIGKILL, the OOM killer), nothing tells the workers: they
go on serving as orphans, holding the port, and a restart fails with "Address already in use".
Each worker therefore asks Linux for a signal when its parent dies (``PR_SET_PDEATHSIG``) and,
where that is not available, watches its parent from a thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

from fastapi import FastAPI

SUPERVISOR_ENV = "JIUZHU_SERVE_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def _exit_now() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    _exit_now()


def die_with_supervisor() -> None:
    """In a worker started by ``serve``: end this process (SIGTERM, a graceful shutdown) as
    soon as the supervisor that started it is gone. Nothing in a single-process server."""
    supervisor = os.environ.get(SUPERVISOR_ENV)
    if not supervisor or not supervisor.isdigit() or int(supervisor) == os.getpid():
        return
    parent = os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    if not armed:
        threading.Thread(
            target=_watch, args=(parent,), name="supervisor-watch", daemon=True
        ).start()
    # The supervisor may have died before the signal was asked for.
    if parent != int(supervisor):
        _exit_now()


def create_served_app() -> FastAPI:
    """The application factory ``serve`` hands to uvicorn (called in each worker)."""
    from app.main import create_app

    die_with_supervisor()
    return create_app()
