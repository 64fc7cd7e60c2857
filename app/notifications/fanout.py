"""The periodic job's inbox messages about time limits: which items are told about, in which
window and under which event, one statement each (:mod:`app.notifications.fanout_repository`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.notifications import fanout_repository as repository
from app.notifications.fanout_repository import Window

# Past the limit, and about to pass it (within ``due_soon``).
WINDOWS: tuple[Window, ...] = ("overdue", "due_soon")


async def notify_overdue(
    session: AsyncSession,
    *,
    at: datetime,
    due_soon: timedelta,
    triage_roles: tuple[str, ...],
    titles: dict[str, str],
) -> int:
    """Time limits about to pass (within ``due_soon``) and passed, once each per person and
    limit: submitted applications (to the staff who may accept them there) or whose due time is
    unknown for want of a year's holiday schedule (to the admins there), statutory procedure
    steps (to the case's assignee, else the triage staff there; an unknown due date to the
    admins), dispatched warnings (to the assignee). A limit moved later is told again."""
    count = 0
    for window in WINDOWS:
        event = f"application_{window}"
        count += await repository.inbox_for_applications_due(
            session,
            window=window,
            event=event,
            title=titles[event],
            roles=triage_roles,
            at=at,
            due_soon=due_soon,
        )
    # An application whose deadline could not be counted: the admins covering it are told to
    # record that year's holiday schedule; a procedure step's due date the same.
    count += await repository.inbox_for_unknown_application_deadlines(
        session, title=titles["deadline_unknown"], at=at
    )
    count += await repository.inbox_for_unknown_step_deadlines(
        session, title=titles["deadline_unknown"], at=at
    )
    for window in WINDOWS:
        event = f"procedure_step_{window}"
        count += await repository.inbox_for_procedure_steps_due(
            session,
            window=window,
            event=event,
            title=titles[event],
            roles=triage_roles,
            at=at,
            due_soon=due_soon,
        )
    for window in WINDOWS:
        event = f"warning_{window}"
        count += await repository.inbox_for_warnings_due(
            session, window=window, event=event, title=titles[event], at=at, due_soon=due_soon
        )
    return count
