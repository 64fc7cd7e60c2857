"""A worker process with the test handlers: ``python -m app worker``'s loop and signal
handling (``run_until_signalled``) over ``PROCESS_HANDLERS`` instead of ``app.tasks``."""

from __future__ import annotations

import asyncio
import os
import sys

from app.db.session import dispose_engine
from app.jobs.runner import Runner, run_until_signalled
from tests.jobs.support import PROCESS_HANDLERS, _append


async def main(concurrency: int) -> None:
    runner = Runner.from_settings(PROCESS_HANDLERS, concurrency=concurrency)
    _append(f"ready {os.getpid()}")
    try:
        await run_until_signalled(runner)
    finally:
        await dispose_engine()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
