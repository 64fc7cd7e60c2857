"""The procedure as staff see it (every step with its due date, who acted, days over) and as
the applicant sees it (plain Chinese, no staff, no internal detail)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import ROLE_SCOPES, Role
from app.calendar import service as calendar_service
from app.calendar.clock import Basis, WorkingCalendar
from app.models.application import open_text
from app.models.procedure import Procedure, ProcedureDocument, ProcedureStep
from app.procedures import clocks, dates, repository
from app.procedures.schemas import (
    DocumentView,
    ObjectionView,
    ProcedureView,
    PublicProcedure,
    PublicStep,
    StepView,
)
from app.procedures.spec import CATEGORY_LABELS, STEPS, Step, When

ROLE_LABELS = {
    "community_worker": "社区工作人员",
    "social_worker": "社工站",
    "street_officer": "街道工作人员",
    "district_officer": "区民政局",
}
# Detail kept on a step that staff may read (sealed text stays sealed; no names, no IDs).
SHOWN = {
    "surveyors",
    "document_id",
    "proposed_amount",
    "objections",
    "result",
    "outcome",
    "reasons",
    "care_arrangement",
    "valid_until",
    "monthly_amount",
    "amount",
    "note",
    "household_id",
    "ledger_entry_id",
    "ledger_pending",
    "recheck_on",
}


def who_may_act(step: Step) -> list[str]:
    return [
        ROLE_LABELS[r.value]
        for r in Role
        if r.value in ROLE_LABELS and step.scope in ROLE_SCOPES[r]
    ]


def clock_text(step: Step) -> str | None:
    clock = clocks.clock_of(step)
    if clock is None:
        return None
    unit = "个工作日" if clock.basis == Basis.working_days else "天（自然日）"
    after = next(
        (
            s.label
            for s in STEPS["dibao"] + STEPS["tekun"] + STEPS["temporary_aid"]
            if s.code == clock.after
        ),
        clock.after,
    )
    return f"自“{after}”之次日起 {clock.days} {unit}"


def days_over(due: date | None, done: date | None, today: date) -> int:
    if due is None:
        return 0
    return max(((done or today) - due).days, 0)


def _live_due(
    row: ProcedureStep, step: Step, procedure: Procedure, calendar: WorkingCalendar
) -> tuple[date | None, str | None]:
    """A due date left unknown is counted again now (the year may since be recorded)."""
    if not row.deadline_unknown:
        return row.due_on, None
    clock = clocks.clock_of(step)
    assert clock is not None
    stops = [] if step.period else clocks.pauses_of(procedure)
    due = clocks.due(calendar, row.started_on, clock.days, clock.basis, stops)
    if due is not None:
        return due, None
    year = clocks.unknown_year(calendar, row.started_on, clock.days, clock.basis)
    return None, f"期限跨入 {year} 年，该年节假日安排尚未录入，期限暂无法计算（不作推测）"


def _status(step: Step, row: ProcedureStep | None, procedure: Procedure) -> str:
    if row is not None:
        return row.status
    if step.when == When.optional:
        return "optional"
    if step.when in (When.objection, When.refused, When.approved, When.advance):
        if procedure.outcome is not None or step.when == When.advance:
            return "not_needed"
        if step.when == When.objection and procedure.objections == 0:
            return "not_needed"
    return "not_reached"


def step_views(
    procedure: Procedure, rows: list[ProcedureStep], calendar: WorkingCalendar, today: date
) -> list[StepView]:
    by_code = {r.step: r for r in rows}
    views = []
    for step in STEPS[procedure.category]:
        row = by_code.get(step.code)
        due, warning = (None, None) if row is None else _live_due(row, step, procedure, calendar)
        views.append(
            StepView(
                code=step.code,
                label=step.label,
                status=_status(step, row, procedure),
                who_may_act=who_may_act(step),
                clock=clock_text(step),
                started_on=row.started_on if row else None,
                due_on=due,
                deadline_unknown=warning is not None,
                deadline_warning=warning,
                overdue_days=0
                if row is None or step.period
                else days_over(due, row.done_on, today),
                done_on=row.done_on if row else None,
                actor_id=row.actor_id if row else None,
                actor_ids=list(row.actor_ids or []) if row else [],
                findings=open_text(row.findings_enc) if row else "",
                detail={k: v for k, v in (row.detail or {}).items() if k in SHOWN} if row else {},
            )
        )
    return views


def document_views(docs: list[ProcedureDocument]) -> list[DocumentView]:
    return [DocumentView.model_validate(d) for d in docs]


async def staff_view(session: AsyncSession, procedure: Procedure) -> ProcedureView:
    rows = await repository.steps(session, procedure.id)
    calendar = await calendar_service.current(session)
    docs = list(await repository.documents(session, procedure.id))
    today = dates.today()
    within = None
    if procedure.decided_on is not None and procedure.limit_on is not None:
        within = procedure.decided_on <= procedure.limit_on
    return ProcedureView(
        id=procedure.id,
        application_id=procedure.application_id,
        category=procedure.category,
        category_label=CATEGORY_LABELS[procedure.category],
        started_on=procedure.started_on,
        limit_days=procedure.limit_days,
        limit_on=procedure.limit_on,
        special_reason=procedure.special_reason,
        outcome=procedure.outcome,
        decided_on=procedure.decided_on,
        within_limit=within,
        care_arrangement=procedure.care_arrangement,
        monthly_amount=procedure.monthly_amount,
        valid_until=procedure.valid_until,
        recheck_on=procedure.recheck_on,
        stopped_on=procedure.stopped_on,
        advance_amount=procedure.advance_amount,
        objections=procedure.objections,
        objection_records=[
            ObjectionView(
                raised_on=o.raised_on, text=open_text(o.text_enc), recorded_by_id=o.recorded_by_id
            )
            for o in await repository.objections(session, procedure.id)
        ],
        spot_checked=procedure.spot_checked,
        paused_since=procedure.paused_since,
        pauses=procedure.pauses,
        steps=step_views(procedure, rows, calendar, today),
        documents=document_views(docs),
    )


OUTCOME_TEXT = {
    "approved": "已批准",
    "refused": "不予批准",
    "terminated": "已终止救助供养",
    "stopped": "已停发",
}


async def public_view(session: AsyncSession, procedure: Procedure) -> PublicProcedure:
    rows = await repository.steps(session, procedure.id)
    calendar = await calendar_service.current(session)
    docs = list(await repository.documents(session, procedure.id, applicant_only=True))
    views = step_views(procedure, rows, calendar, dates.today())
    specs = {s.code: s for s in STEPS[procedure.category]}
    steps = [
        PublicStep(
            label=v.label,
            status=v.status,
            text=specs[v.code].done_text if v.status == "done" else specs[v.code].pending_text,
            due_on=v.due_on,
            done_on=v.done_on,
        )
        for v in views
        if v.status in ("done", "pending")
    ]
    if procedure.outcome:
        text = OUTCOME_TEXT.get(procedure.outcome, procedure.outcome)
    elif procedure.paused_since:
        text = "等待您补正材料，办理期限暂停计算"
    else:
        pending = next((s for s in steps if s.status == "pending"), None)
        text = pending.text if pending else "办理中"
    return PublicProcedure(
        category_label=CATEGORY_LABELS[procedure.category],
        status_text=text,
        steps=steps,
        documents=document_views(docs),
    )
