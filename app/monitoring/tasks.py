"""Monitoring's job handlers (mapped to their kinds in ``app/tasks.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs import ParkJob
from app.monitoring.importer import run_import

IMPORT_JOB = "monitoring.import"


async def import_file(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Run a queued import (``{"import_id"}``) to the end. The import commits its own progress
    and its landing (a million rows cannot wait in the job's transaction); run again after a
    crash it starts its staging afresh, and once finished it is a no-op."""
    del session  # untouched: no lock held on SQLite while the import writes
    import_id = payload.get("import_id")
    if not isinstance(import_id, int):
        raise ParkJob("payload without import_id")
    await run_import(import_id, resume=True)
