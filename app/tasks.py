"""What runs each kind of job, and which jobs run periodically: the one place where the job
runner meets the domains. A domain writes jobs with ``app.jobs.enqueue(session, kind, ...)``
and offers its handlers (``async def handler(session, payload) -> None``, safe to run twice) in
its ``tasks.py``; they are mapped to their kinds here, and nowhere else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository as accounts
from app.calendar.service import DEADLINES_JOB
from app.config import get_settings
from app.households.arrivals import MEMBERS_ARRIVED_JOB
from app.households.categories import scheduled as scheduled_categories
from app.intake import deadlines, privacy
from app.jobs import Handler, Periodic
from app.jobs.service import purge_done
from app.kit.idempotency import purge_expired
from app.kit.timeutil import local_today, now
from app.monitoring import tasks as monitoring
from app.monitoring.warnings import tasks as warnings
from app.notifications import service as notifications_service
from app.notifications import tasks as notifications
from app.procedures import deadlines as procedure_deadlines
from app.procedures import tasks as procedures
from app.visits import tasks as visits

log = structlog.get_logger()

RETENTION_JOB = "intake:retention"

# 19:00 UTC is 03:00 in Beijing: housekeeping runs at night.
NIGHTLY = timedelta(hours=19)


async def purge_idempotency(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Idempotency-Key records past their 24 hours (``python -m app purge-idempotency``)."""
    log.info("purged", what="idempotency_records", rows=await purge_expired(session))


async def purge_jobs(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Done jobs past their retention; parked jobs stay until an admin handles them."""
    log.info("purged", what="jobs", rows=await purge_done(session))


async def purge_login_failures(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Failed staff logins past the longest time the throttle remembers them; the per-address
    window is shorter, so nothing that still counts is lost."""
    settings = get_settings()
    memory = timedelta(
        hours=settings.login_failure_memory_hours,
        minutes=settings.login_failure_window_minutes,
    )
    rows = await accounts.purge_failures(session, now() - memory)
    log.info("purged", what="login_failures", rows=rows)


async def apply_scheduled_categories(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Category decisions whose date has come (an exit dated in the future and the like)."""
    rows = await scheduled_categories.apply_due(session, local_today(), now())
    log.info("applied", what="scheduled_category_changes", rows=rows)


async def anonymise_expired_applications(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Finished applications past ``JIUZHU_RETENTION_DAYS``: text, identifiers, attachments."""
    await privacy.anonymise_expired(session)


async def unknown_deadlines(session: AsyncSession, payload: dict[str, Any]) -> None:
    """After an admin recorded a year's holiday schedule: the acceptance deadlines and the
    procedures' due dates left unknown for want of it."""
    await deadlines.unknown_deadlines(session, payload)
    await procedure_deadlines.unknown_deadlines(session, payload)


HANDLERS: dict[str, Handler] = {
    MEMBERS_ARRIVED_JOB: procedures.settle_arrivals,
    "purge-idempotency": purge_idempotency,
    "purge-jobs": purge_jobs,
    "purge-login-failures": purge_login_failures,
    monitoring.IMPORT_JOB: monitoring.import_file,
    "warnings:scan": warnings.run_scan,
    "warnings:nightly-scan": warnings.nightly_scan,
    RETENTION_JOB: anonymise_expired_applications,
    DEADLINES_JOB: unknown_deadlines,
    scheduled_categories.APPLY_JOB: apply_scheduled_categories,
    visits.RECOMPUTE_JOB: visits.recompute_due_dates,
    notifications_service.SEND_JOB: notifications.send,
    notifications_service.OVERDUE_JOB: notifications.overdue,
    notifications_service.CONTENT_CHECK_JOB: notifications.content_check,
}

PERIODIC: tuple[Periodic, ...] = (
    Periodic("purge-idempotency", every=timedelta(days=1), offset=NIGHTLY),
    Periodic("purge-jobs", every=timedelta(days=1), offset=NIGHTLY),
    Periodic("purge-login-failures", every=timedelta(days=1), offset=NIGHTLY),
    # Every warning rule over the district, after the night's imports.
    Periodic("warnings:nightly-scan", every=timedelta(days=1), offset=NIGHTLY),
    # The retention rule (保存期限): finished applications anonymised once their time is up.
    Periodic(RETENTION_JOB, every=timedelta(days=1), offset=NIGHTLY),
    # 00:01 in Beijing: category decisions (exits and the like) dated today take effect.
    Periodic(
        scheduled_categories.APPLY_JOB,
        every=timedelta(days=1),
        offset=timedelta(hours=16, minutes=1),
    ),
    # 00:05 in Beijing: visit policy entries dated today take effect in the due dates.
    Periodic(visits.RECOMPUTE_JOB, every=timedelta(days=1), offset=timedelta(hours=16, minutes=5)),
    # Inbox messages for applications and warnings past their time limit.
    Periodic(notifications_service.OVERDUE_JOB, every=timedelta(hours=1)),
)
