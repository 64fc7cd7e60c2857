"""Jobs of the warnings domain (mapped to their kinds in ``app/tasks.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.jobs import ParkJob
from app.monitoring.warnings import scans


async def run_scan(session: AsyncSession, payload: dict[str, Any]) -> None:
    """A scan requested through ``POST /staff/scans``; a scan already done is left alone."""
    scan_id = payload.get("scan_id")
    if not isinstance(scan_id, int) or await scans.run_queued(session, scan_id) is None:
        raise ParkJob("扫描记录不存在")


async def nightly_scan(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Every enabled rule over the district, once a night."""
    await scans.full_scan(session)
