"""SQL for inbox messages to many staff at once, each one INSERT ... SELECT: everyone covering a
record's region, items about to pass or past their time limit, the red warnings of a scan.
Kept apart from :mod:`app.notifications.repository` for size; :mod:`app.notifications.fanout`
decides which of them the periodic job sends."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import String, and_, cast, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.timeutil import to_local
from app.models.account import Staff
from app.models.application import Application
from app.models.notification import Notification
from app.models.procedure import PERIOD_STEPS, Procedure, ProcedureStep
from app.models.warning import EarlyWarning
from app.notifications.repository import covering_staff, insert_from_select

Window = Literal["overdue", "due_soon"]

INBOX_COLUMNS = [
    "recipient_kind",
    "recipient_id",
    "event",
    "title",
    "record_type",
    "record_id",
    "data",
    "key",
    "status",
    "attempts",
    "created_at",
    "updated_at",
]


def _inbox_row(
    staff_id: Any, event: str, title: str, record_type: str, record_id: Any, key: Any, at: datetime
) -> list[Any]:
    return [
        literal("staff").label("recipient_kind"),
        staff_id.label("recipient_id"),
        literal(event).label("event"),
        literal(title).label("title"),
        literal(record_type).label("record_type"),
        record_id.label("record_id"),
        literal({}, type_=Notification.__table__.c.data.type).label("data"),
        key.label("key"),
        literal("inbox").label("status"),
        literal(0).label("attempts"),
        literal(at, type_=Notification.__table__.c.created_at.type).label("created_at"),
        literal(at, type_=Notification.__table__.c.updated_at.type).label("updated_at"),
    ]


def _key(prefix: str, *parts: Any) -> Any:
    """SQL: ``prefix:part:part`` (the message's key, one per cause and recipient)."""
    expr: Any = literal(prefix)
    for part in parts:
        expr = expr + literal(":") + cast(part, String)
    return expr


def _window(due_at: Any, window: Window, at: datetime, due_soon: timedelta) -> Any:
    """SQL: past the limit (``overdue``), or about to pass it within ``due_soon``
    (``due_soon``)."""
    if window == "overdue":
        return due_at < at
    return and_(due_at >= at, due_at < at + due_soon)


async def inbox_for_covering_staff(
    session: AsyncSession,
    *,
    event: str,
    title: str,
    record_type: str,
    record_id: int,
    region_code: str,
    roles: tuple[str, ...],
    at: datetime,
) -> int:
    """An inbox row for every active staff member in ``roles`` whose jurisdiction covers the
    region, in one statement."""
    stmt = select(
        *_inbox_row(
            Staff.id,
            event,
            title,
            record_type,
            literal(record_id),
            _key(f"{event}:{record_type}:{record_id}", Staff.id),
            at,
        )
    ).where(covering_staff(literal(region_code)), Staff.role.in_(roles))
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_applications_due(
    session: AsyncSession,
    *,
    window: Window,
    event: str,
    title: str,
    roles: tuple[str, ...],
    at: datetime,
    due_soon: timedelta,
) -> int:
    """Submitted applications in the time-limit ``window``, to the staff in ``roles`` covering
    them (who may accept them there); once per person and due time."""
    stmt = select(
        *_inbox_row(
            Staff.id,
            event,
            title,
            "application",
            Application.id,
            _key(f"{event}:application", Application.id, Application.due_at, Staff.id),
            at,
        )
    ).where(
        Application.status == "submitted",
        _window(Application.due_at, window, at, due_soon),
        covering_staff(Application.region_code),
        Staff.role.in_(roles),
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_unknown_application_deadlines(
    session: AsyncSession, *, title: str, at: datetime
) -> int:
    """Submitted applications whose deadline could not be counted (their working days run into
    a year with no holiday schedule), to the admins covering them."""
    stmt = select(
        *_inbox_row(
            Staff.id,
            "deadline_unknown",
            title,
            "application",
            Application.id,
            _key("deadline_unknown:application", Application.id, Staff.id),
            at,
        )
    ).where(
        Application.status == "submitted",
        Application.due_at.is_(None),
        covering_staff(Application.region_code),
        Staff.role == "admin",
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_unknown_step_deadlines(
    session: AsyncSession, *, title: str, at: datetime
) -> int:
    """Pending statutory procedure steps whose due date runs into a year with no schedule, to
    the admins covering the case."""
    stmt = (
        select(
            *_inbox_row(
                Staff.id,
                "deadline_unknown",
                title,
                "application",
                Procedure.application_id,
                _key("deadline_unknown:procedure_step", ProcedureStep.id, Staff.id),
                at,
            )
        )
        .join(Procedure, Procedure.id == ProcedureStep.procedure_id)
        .where(
            ProcedureStep.status == "pending",
            ProcedureStep.deadline_unknown.is_(True),
            covering_staff(Procedure.region_code),
            Staff.role == "admin",
        )
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_procedure_steps_due(
    session: AsyncSession,
    *,
    window: Window,
    event: str,
    title: str,
    roles: tuple[str, ...],
    at: datetime,
    due_soon: timedelta,
) -> int:
    """Statutory procedure steps in the time-limit ``window`` (about to pass: their due day
    ends within ``due_soon``), to the case's assignee or, with none, the staff in ``roles``
    covering the case; once per step and due date. A period running out (公示期满), a paused
    procedure (waiting on the applicant) and an unknown due date are no limit to tell about."""
    today = to_local(at).date()
    if window == "overdue":
        when = ProcedureStep.due_on < today
    else:
        soon_until = to_local(at + due_soon).date()
        when = and_(ProcedureStep.due_on >= today, ProcedureStep.due_on < soon_until)
    recipient = or_(
        Staff.id == Application.assignee_id,
        and_(
            Application.assignee_id.is_(None),
            covering_staff(Procedure.region_code),
            Staff.role.in_(roles),
        ),
    )
    stmt = (
        select(
            *_inbox_row(
                Staff.id,
                event,
                title,
                "application",
                Procedure.application_id,
                _key(
                    f"{event}:procedure_step",
                    ProcedureStep.id,
                    ProcedureStep.due_on,
                    Staff.id,
                ),
                at,
            )
        )
        .select_from(ProcedureStep)
        .join(Procedure, Procedure.id == ProcedureStep.procedure_id)
        .join(Application, Application.id == Procedure.application_id)
        .join(Staff, recipient)
        .where(
            ProcedureStep.status == "pending",
            ProcedureStep.step.not_in(PERIOD_STEPS),
            Procedure.paused_since.is_(None),
            Staff.active.is_(True),
            when,
        )
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_warnings_due(
    session: AsyncSession,
    *,
    window: Window,
    event: str,
    title: str,
    at: datetime,
    due_soon: timedelta,
) -> int:
    """Dispatched warnings in the time-limit ``window``, to their assignee; once per person
    and due time."""
    stmt = select(
        *_inbox_row(
            EarlyWarning.assignee_id,
            event,
            title,
            "warning",
            EarlyWarning.id,
            _key(
                f"{event}:warning",
                EarlyWarning.id,
                EarlyWarning.due_at,
                EarlyWarning.assignee_id,
            ),
            at,
        )
    ).where(
        EarlyWarning.status == "dispatched",
        _window(EarlyWarning.due_at, window, at, due_soon),
        EarlyWarning.assignee_id.is_not(None),
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)


async def inbox_for_red_warnings_of_scan(
    session: AsyncSession, *, scan_id: int, title: str, roles: tuple[str, ...], at: datetime
) -> int:
    """An inbox row for each red warning a scan opened and each officer in ``roles`` covering
    its region, in one statement."""
    stmt = select(
        *_inbox_row(
            Staff.id,
            "red_warning",
            title,
            "warning",
            EarlyWarning.id,
            _key("red_warning:warning", EarlyWarning.id, Staff.id),
            at,
        )
    ).where(
        EarlyWarning.scan_id == scan_id,
        EarlyWarning.level == "red",
        EarlyWarning.status == "open",
        covering_staff(EarlyWarning.region_code),
        Staff.role.in_(roles),
    )
    return await insert_from_select(session, stmt, INBOX_COLUMNS)
