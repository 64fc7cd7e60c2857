"""Work that happens later: a job row written in the transaction of its cause, claimed and run
by the job runner. Domains call :func:`enqueue`; the handlers for each kind are mapped in one
place, ``app/tasks.py``. This package imports no business domain."""

from app.jobs.queue import (
    DEFAULT_MAX_ATTEMPTS,
    Handler,
    ParkJob,
    enqueue,
    enqueue_for_each,
    wake_after_commit,
)
from app.jobs.schedule import Periodic

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Handler",
    "ParkJob",
    "Periodic",
    "enqueue",
    "enqueue_for_each",
    "wake_after_commit",
]
