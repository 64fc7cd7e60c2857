"""Starting a procedure and recording its steps: order, scopes, dates, pauses; each change
audited, in the request's transaction."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.calendar import service as calendar_service
from app.errors import Forbidden
from app.intake import repository as intake_repository
from app.intake.errors import application_not_found
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now, to_local
from app.models.application import Application, seal_text
from app.models.procedure import Procedure, ProcedureObjection, ProcedureStep
from app.procedures import advance, clocks, dates, decisions, repository
from app.procedures.errors import (
    NotStartable,
    Paused,
    PeriodRunning,
    ProcedureExists,
    ProcedureNotFound,
    ReviewNotNeeded,
    StepDone,
    StepInvalid,
    StepNotFound,
    StepOutOfOrder,
)
from app.procedures.schemas import ObjectionIn, StartIn, StepIn
from app.procedures.spec import OVERALL_LIMIT, Step, When, step_of

STARTABLE = frozenset({"accepted", "investigating", "reviewing"})


async def _application(session: AsyncSession, actor: Actor, application_id: int) -> Application:
    application = await intake_repository.get_readable(
        session, actor, application_id, for_update=True
    )
    if application is None:
        raise application_not_found()
    return application


async def load(
    session: AsyncSession, actor: Actor, application_id: int, *, for_update: bool = False
) -> tuple[Procedure, list[ProcedureStep]]:
    """The case's procedure and its steps; 404 when none or outside the jurisdiction."""
    procedure = await repository.for_application(
        session, actor, application_id, for_update=for_update
    )
    if procedure is None:
        raise ProcedureNotFound()
    return procedure, await repository.steps(session, procedure.id)


async def _for_change(
    session: AsyncSession, actor: Actor, application_id: int, scope: Scope, refused: str
) -> tuple[Procedure, list[ProcedureStep]]:
    """The procedure and its steps, locked with its application, for a role with ``scope``
    (403 ``refused`` otherwise; 404 when none or outside the jurisdiction)."""
    if not has_scope(actor.role, scope):
        raise Forbidden(refused, code="action_not_allowed")
    await _application(session, actor, application_id)
    return await load(session, actor, application_id, for_update=True)


async def start(
    session: AsyncSession, actor: Actor, application_id: int, body: StartIn
) -> Procedure:
    """Start the procedure of an accepted application; its clock runs from the acceptance."""
    if not has_scope(actor.role, Scope.cases_work):
        raise Forbidden("当前角色不能启动法定程序", code="action_not_allowed")
    application = await _application(session, actor, application_id)
    if await repository.for_application(session, actor, application_id) is not None:
        raise ProcedureExists()
    if application.status not in STARTABLE:
        raise NotStartable(extra={"status": application.status})
    accepted = await repository.acceptance(session, application.id)
    started_on = to_local(accepted.at).date() if accepted else dates.today()
    limits = OVERALL_LIMIT.get(body.category.value)
    procedure = Procedure(
        application_id=application.id,
        category=body.category.value,
        region_code=application.region_code,
        started_on=started_on,
        limit_days=None if limits is None else limits[1 if body.special_reason else 0],
        special_reason=body.special_reason,
        pauses=[],
        objections=0,
        spot_checked=False,
        created_by_id=actor.id,
    )
    session.add(procedure)
    await session.flush()
    calendar = await calendar_service.current(session)
    procedure.limit_on = clocks.overall_limit(procedure, calendar)
    acceptance = ProcedureStep(
        procedure_id=procedure.id,
        step="acceptance",
        status="done",
        started_on=started_on,
        done_on=started_on,
        actor_id=accepted.actor_id if accepted else actor.id,
        actor_ids=[],
        detail={},
        done_at=accepted.at if accepted else now(),
    )
    session.add(acceptance)
    session.add_all(clocks.open_ready(procedure, [acceptance], calendar))
    await session.flush()
    await audit.record(
        session,
        actor,
        "procedure.start",
        "application",
        application.id,
        {"category": procedure.category, "started_on": started_on.isoformat()},
    )
    return procedure


def _check_order(step: Step, procedure: Procedure, rows: list[ProcedureStep]) -> None:
    done = {r.step: r for r in rows if r.status == "done"}
    if step.code in done:
        raise StepDone(f"“{step.label}”已完成，不能重复办理")
    if step.when == When.objection and procedure.objections == 0:
        if "notice_end" in done:
            raise ReviewNotNeeded()
        raise StepOutOfOrder("公示期满后方可确定是否需要民主评议")
    if not clocks.applies(step, procedure, done):
        raise StepOutOfOrder(f"本案当前不需要“{step.label}”")
    for need in clocks.requirements(step, procedure):
        if need not in done:
            needed = step_of(procedure.category, need)
            label = needed.label if needed else need
            raise StepOutOfOrder(f"须先完成“{label}”，才能办理“{step.label}”")
    if step.decision and procedure.outcome is not None:
        raise StepDone("本案已作出决定")


def _check_date(on: date, step: Step, rows: list[ProcedureStep], row: ProcedureStep | None) -> None:
    if on > dates.today():
        raise StepInvalid("办理日期不能晚于今天", code="step_date_in_future")
    if row is not None and on < row.started_on:
        raise StepInvalid("办理日期不能早于上一步骤完成之日", code="step_date_before_previous")
    if step.period:
        if row is None or row.due_on is None:
            raise PeriodRunning(f"“{step.label}”的期限无法计算，请管理员录入节假日安排")
        if on < row.due_on:
            raise PeriodRunning(
                f"公示期至{row.due_on.isoformat()}届满，届满前不能办理“{step.label}”"
            )


async def act(
    session: AsyncSession, actor: Actor, application_id: int, code: str, body: StepIn
) -> Procedure:
    """Record the step ``code``: 403 for a role that may not, 409 out of order or paused."""
    application = await _application(session, actor, application_id)
    procedure, rows = await load(session, actor, application_id, for_update=True)
    step = step_of(procedure.category, code)
    if step is None:
        raise StepNotFound()
    if not has_scope(actor.role, step.scope):
        raise Forbidden(f"当前角色不能办理“{step.label}”", code="action_not_allowed")
    if procedure.paused_since is not None:
        raise Paused()
    _check_order(step, procedure, rows)
    row = next((r for r in rows if r.step == code), None)
    on = body.on or dates.today()
    _check_date(on, step, rows, row)
    if row is None:  # an optional step, taken when the case calls for it
        row = ProcedureStep(procedure_id=procedure.id, step=code, started_on=on)
        session.add(row)
        rows.append(row)
    if procedure.category == "temporary_aid":
        await advance.settle_pending(session, actor, procedure, application, rows)
    detail = await decisions.take(session, actor, procedure, application, step, body, on)
    row.status = "done"
    row.done_on = on
    row.done_at = now()
    row.actor_id = actor.id
    row.actor_ids = list(body.surveyors) if code == "survey" else [actor.id] if actor.id else []
    row.detail = {**(row.detail or {}), **detail, **({"note": body.note} if body.note else {})}
    if body.findings:
        row.findings_enc = seal_text(body.findings)
    calendar = await calendar_service.current(session)
    session.add_all(clocks.open_ready(procedure, rows, calendar))
    await session.flush()
    await audit.record(
        session,
        actor,
        "procedure.step",
        "application",
        application.id,
        {
            "step": code,
            "on": on.isoformat(),
            **{k: v for k, v in detail.items() if k != "objections"},
        },
    )
    return procedure


async def objection(
    session: AsyncSession, actor: Actor, application_id: int, body: ObjectionIn
) -> Procedure:
    """Record an objection to the public notice, while the notice runs."""
    procedure, rows = await _for_change(
        session, actor, application_id, Scope.cases_work, "当前角色不能登记异议"
    )
    notice = next((r for r in rows if r.step == "notice" and r.status == "done"), None)
    ended = any(r.step == "notice_end" and r.status == "done" for r in rows)
    if notice is None or ended:
        raise StepOutOfOrder("不在公示期内，不能登记异议", code="no_notice_running")
    on = body.on or dates.today()
    if on > dates.today() or notice.done_on is None or on < notice.done_on:
        raise StepInvalid("异议日期须在公示期内且不晚于今天", code="objection_date_invalid")
    procedure.objections += 1
    session.add(
        ProcedureObjection(
            procedure_id=procedure.id,
            raised_on=on,
            recorded_by_id=actor.id,
            text_enc=seal_text(body.text),
        )
    )
    await session.flush()
    await audit.record(
        session, actor, "procedure.objection", "application", application_id, {"on": on.isoformat()}
    )
    return procedure


async def _recount(session: AsyncSession, procedure: Procedure, rows: list[ProcedureStep]) -> None:
    """Count every pending step's due date and the overall limit again (after a pause ends or
    the limit changes)."""
    calendar = await calendar_service.current(session)
    for row in rows:
        step = step_of(procedure.category, row.step)
        if row.status == "pending" and step is not None:
            clocks.set_due(row, step, procedure, calendar)
    procedure.limit_on = clocks.overall_limit(procedure, calendar)
    await session.flush()


async def pause(session: AsyncSession, actor: Actor, application_id: int, reason: str) -> Procedure:
    """The case waits on the applicant (补正材料): the clocks stand still from tomorrow."""
    procedure, rows = await _for_change(
        session, actor, application_id, Scope.cases_work, "当前角色不能暂停计时"
    )
    if procedure.outcome is not None:
        raise StepDone("本案已作出决定，不能暂停计时")
    if procedure.paused_since is not None:
        raise Paused("计时已暂停", code="procedure_paused")
    procedure.paused_since = dates.today()
    await _recount(session, procedure, rows)
    await audit.record(
        session, actor, "procedure.pause", "application", application_id, {"reason": reason}
    )
    return procedure


async def resume(session: AsyncSession, actor: Actor, application_id: int) -> Procedure:
    """The applicant's materials came in: the days since the pause do not count."""
    procedure, rows = await _for_change(
        session, actor, application_id, Scope.cases_work, "当前角色不能恢复计时"
    )
    if procedure.paused_since is None:
        raise StepOutOfOrder("计时未暂停", code="procedure_not_paused")
    since, until = procedure.paused_since + timedelta(days=1), dates.today()
    if since <= until:
        procedure.pauses = [*procedure.pauses, [since.isoformat(), until.isoformat()]]
    procedure.paused_since = None
    await _recount(session, procedure, rows)
    await audit.record(
        session,
        actor,
        "procedure.resume",
        "application",
        application_id,
        {"paused_days": max((until - since).days + 1, 0)},
    )
    return procedure


async def extend(
    session: AsyncSession, actor: Actor, application_id: int, reason: str
) -> Procedure:
    """Record the special reason that allows 45 working days instead of 30."""
    procedure, rows = await _for_change(
        session, actor, application_id, Scope.cases_decide, "当前角色不能延长办理期限"
    )
    limits = OVERALL_LIMIT.get(procedure.category)
    if limits is None:
        raise StepOutOfOrder("该类程序没有可延长的总期限", code="no_extension")
    if procedure.outcome is not None:
        raise StepDone("本案已作出决定，不能延长期限")
    if procedure.special_reason is not None:
        raise StepDone("已记录特殊情况，期限已延长", code="already_extended")
    procedure.special_reason = reason
    procedure.limit_days = limits[1]
    await _recount(session, procedure, rows)
    await audit.record(
        session, actor, "procedure.extend", "application", application_id, {"reason": reason}
    )
    return procedure
