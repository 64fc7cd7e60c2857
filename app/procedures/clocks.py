"""The procedure's clocks over the working-day calendar: which steps the procedure has reached
and when each falls due, with the pauses while waiting on the applicant. No calendar logic of
its own: every count is :class:`app.calendar.clock.WorkingCalendar`'s."""

from __future__ import annotations

from datetime import date, timedelta

from app.calendar.clock import Basis, CalendarOutOfRange, Pause, WorkingCalendar
from app.config import get_settings
from app.models.procedure import Procedure, ProcedureStep
from app.procedures.spec import STEPS, Clock, Step, When


def clock_of(step: Step) -> Clock | None:
    """The step's clock; the paperwork after an advance payment runs on a configured one."""
    if step.code == "paperwork":
        return Clock(get_settings().advance_paperwork_days, Basis.working_days, "advance")
    return step.clock


def pauses_of(procedure: Procedure) -> list[Pause]:
    """The days the clocks stood still, and stand still now."""
    stops = [Pause(date.fromisoformat(a), date.fromisoformat(b)) for a, b in procedure.pauses]
    if procedure.paused_since is not None:
        stops.append(Pause(procedure.paused_since + timedelta(days=1)))
    return stops


def due(
    calendar: WorkingCalendar, start: date, days: int, basis: Basis, pauses: list[Pause]
) -> date | None:
    """The due date, or None when the count runs past the calendar's data (never guessed)."""
    try:
        return calendar.due(start, days, basis, pauses)
    except CalendarOutOfRange:
        return None


def unknown_year(calendar: WorkingCalendar, start: date, days: int, basis: Basis) -> int | None:
    """The first year the count needs and the calendar lacks."""
    try:
        calendar.due(start, days, basis)
    except CalendarOutOfRange as error:
        return error.year
    return None


def requirements(step: Step, procedure: Procedure) -> tuple[str, ...]:
    """The steps to be done first; a decision after a notice that drew an objection waits
    for the democratic review."""
    needs = step.requires
    has_review = any(s.code == "review" for s in STEPS[procedure.category])
    if step.decision and procedure.objections > 0 and has_review:
        needs = (*needs, "review")
    return needs


def applies(step: Step, procedure: Procedure, done: dict[str, ProcedureStep]) -> bool:
    """Whether the step belongs to this case (before its requirements are even met)."""
    if step.when == When.objection:
        return procedure.objections > 0
    if step.when == When.refused:
        return procedure.outcome == "refused"
    if step.when == When.approved:
        return "termination_notice" in done
    if step.when == When.advance:
        return "advance" in done
    return True


def open_ready(
    procedure: Procedure, rows: list[ProcedureStep], calendar: WorkingCalendar
) -> list[ProcedureStep]:
    """New pending rows for the steps whose requirements are now all done, each with its due
    date (None and ``deadline_unknown`` past the calendar's data)."""
    have = {r.step: r for r in rows}
    done = {r.step: r for r in rows if r.status == "done"}
    opened: list[ProcedureStep] = []
    for step in STEPS[procedure.category]:
        if step.code in have or step.when == When.optional:
            continue
        if not applies(step, procedure, done):
            continue
        needs = requirements(step, procedure)
        if any(n not in done for n in needs):
            continue
        days = [d for d in (done[n].done_on for n in needs) if d is not None]
        started = max(days, default=None)
        started = started or procedure.started_on
        row = ProcedureStep(
            procedure_id=procedure.id, step=step.code, status="pending", started_on=started
        )
        set_due(row, step, procedure, calendar)
        opened.append(row)
    return opened


def set_due(
    row: ProcedureStep, step: Step, procedure: Procedure, calendar: WorkingCalendar
) -> None:
    """Count the step's due date from its start, over the calendar, minus the pauses."""
    clock = clock_of(step)
    if clock is None:
        row.due_on, row.deadline_unknown = None, False
        return
    # A period (公示) does not stand still while the applicant is waited on.
    stops = [] if step.period else pauses_of(procedure)
    row.due_on = due(calendar, row.started_on, clock.days, clock.basis, stops)
    row.deadline_unknown = row.due_on is None


def overall_limit(procedure: Procedure, calendar: WorkingCalendar) -> date | None:
    """The overall limit in working days from acceptance, paused days not counted."""
    if procedure.limit_days is None:
        return None
    return due(
        calendar,
        procedure.started_on,
        procedure.limit_days,
        Basis.working_days,
        pauses_of(procedure),
    )
