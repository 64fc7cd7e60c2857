"""Scans: every enabled rule over the whole district (``python -m app scan``, ``POST
/staff/scans``, nightly), or over the people one import touched (after each import)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.jobs import enqueue
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import local_today, now
from app.models.warning import WarningScan
from app.monitoring.rules.engine import run_rules
from app.notifications import service as notifications


async def create_scan(
    session: AsyncSession,
    *,
    kind: str = "full",
    requested_by_id: int | None = None,
    import_id: int | None = None,
) -> WarningScan:
    scan = WarningScan(
        kind=kind, status="queued", requested_by_id=requested_by_id, import_id=import_id
    )
    session.add(scan)
    await session.flush()
    return scan


async def run_scan(session: AsyncSession, scan: WarningScan) -> WarningScan:
    """Run the scan's rules in the caller's transaction and record what each opened."""
    started = now()
    scan.status = "running"
    scan.started_at = started
    opened = await run_rules(
        session,
        on=local_today(),
        district_code=get_settings().district_code,
        scan_id=scan.id,
        at=started,
        import_id=scan.import_id,
    )
    scan.rules_run = len(opened)
    scan.opened_by_rule = {code: count for code, count in opened.items() if count}
    scan.warnings_opened = sum(opened.values())
    scan.status = "done"
    scan.finished_at = now()
    await session.flush()
    await notifications.red_warnings_of_scan(session, scan.id)
    return scan


async def queue_scan(session: AsyncSession, actor: Actor) -> WarningScan:
    """A full scan as a job, written in the request's transaction; audited."""
    scan = await create_scan(session, requested_by_id=actor.id)
    await enqueue(session, "warnings:scan", {"scan_id": scan.id}, key=f"warnings:scan:{scan.id}")
    await audit.record(session, actor, "warning_scan.request", "warning_scan", scan.id)
    return scan


async def run_queued(session: AsyncSession, scan_id: int) -> WarningScan | None:
    """Run a queued scan (the job's handler); one already done is left as it is, so the job
    is safe to run twice. None when there is no such scan."""
    scan = await session.get(WarningScan, scan_id, with_for_update=True)
    if scan is None or scan.status == "done":
        return scan
    return await run_scan(session, scan)


async def get_scan(session: AsyncSession, scan_id: int) -> WarningScan | None:
    return await session.get(WarningScan, scan_id)


async def full_scan(session: AsyncSession, *, requested_by_id: int | None = None) -> WarningScan:
    """Every enabled rule over the district, now."""
    scan = await create_scan(session, requested_by_id=requested_by_id)
    return await run_scan(session, scan)


async def evaluate_import(session: AsyncSession, import_id: int) -> int:
    """Every enabled rule over the people an import's rows are about; the number of warnings
    opened (the import keeps it)."""
    scan = await create_scan(session, kind="import", import_id=import_id)
    await run_scan(session, scan)
    return scan.warnings_opened
