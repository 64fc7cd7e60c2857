"""Re-checks and stops. An approval places the household's re-check in the visit worklists
(yearly for a stable household, half-yearly when its income is unstable or a member is able to
work; a rigid-spending decision when it expires); a reduction or stop is decided with reasons
and a written notice to the household, never a public notice, and a stop dated after today
takes effect on its date (the registry's scheduled category decisions)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden
from app.households.categories import service as categories
from app.households.categories.schemas import CategoryDecision
from app.intake import repository as intake_repository
from app.intake.errors import application_not_found
from app.kit import audit
from app.kit.actor import Actor
from app.models.procedure import Procedure
from app.procedures import dates, documents, reduction, repository
from app.procedures.errors import StepDone, StepOutOfOrder
from app.procedures.schemas import RecheckIn, StopAction, StopIn
from app.schedules import service as schedules

YEARLY, HALF_YEARLY = 12, 6


async def schedule(
    session: AsyncSession, procedure: Procedure, on: date, income_stable: bool | None
) -> date | None:
    """Place the re-check of the household the approval enrolled in the visit worklists;
    returns its date (None when no household was registered)."""
    household_id = await repository.household_of(session, procedure.application_id)
    if household_id is None:
        return None
    if procedure.valid_until is not None:
        due = procedure.valid_until
        reason = "刚性支出困难认定到期复核"
    else:
        # A member able to work makes the household's income unstable for re-checks.
        unstable = income_stable is False or await repository.has_member_able_to_work(
            session, household_id
        )
        due = dates.add_months(on, HALF_YEARLY if unstable else YEARLY)
        reason = "低保/特困半年复核" if unstable else "低保/特困年度复核"
    await schedules.set_recheck(session, household_id, on=due, reason=reason)
    procedure.recheck_on = due
    return due


async def record(
    session: AsyncSession, actor: Actor, application_id: int, body: RecheckIn
) -> Procedure:
    """A re-check found the household still eligible: the next one is set (yearly or
    half-yearly; a rigid-spending decision is renewed for at most 12 months). A re-check that
    finds otherwise is a reduction or stop (:func:`stop`)."""
    if not has_scope(actor.role, Scope.cases_work):
        raise Forbidden("当前角色不能登记复核", code="action_not_allowed")
    application = await intake_repository.get_readable(
        session, actor, application_id, for_update=True
    )
    if application is None:
        raise application_not_found()
    procedure = await repository.for_application(session, actor, application_id, for_update=True)
    if procedure is None or procedure.outcome != "approved":
        raise StepOutOfOrder("只有在保的救助对象才能复核", code="not_approved")
    on = dates.today()
    if procedure.valid_until is not None:
        procedure.valid_until = dates.add_months(on, 12) - timedelta(days=1)
    due = await schedule(session, procedure, on, body.income_stable)
    await session.flush()
    await audit.record(
        session,
        actor,
        "procedure.recheck",
        "application",
        application_id,
        {"on": on.isoformat(), "next": None if due is None else due.isoformat()},
    )
    return procedure


async def stop(session: AsyncSession, actor: Actor, application_id: int, body: StopIn) -> Procedure:
    """Reduce or stop an approved case, with a written notice and reasons to the household."""
    if not has_scope(actor.role, Scope.cases_decide):
        raise Forbidden("当前角色不能减发或停发", code="action_not_allowed")
    application = await intake_repository.get_readable(
        session, actor, application_id, for_update=True
    )
    if application is None:
        raise application_not_found()
    procedure = await repository.for_application(session, actor, application_id, for_update=True)
    if procedure is None or procedure.outcome not in ("approved",):
        if procedure is not None and procedure.outcome in ("stopped", "terminated"):
            raise StepDone("本案救助已终止或停发")
        raise StepOutOfOrder("只有已批准的救助才能减发或停发", code="not_approved")
    if procedure.category == "tekun" and body.action == StopAction.stop:
        raise StepOutOfOrder(
            "特困人员终止救助供养须经 7 天告知公示（termination_notice）",
            code="termination_needs_notice",
        )
    kind = "reduction_notice" if body.action == StopAction.reduce else "stop_notice"
    document = await documents.produce(
        session,
        actor,
        kind,
        procedure,
        application,
        on=dates.today(),
        reasons=body.reasons,
        effective_date=body.effective_date,
        amount=body.monthly_amount,
    )
    if body.action == StopAction.stop:
        household_id = await repository.household_of(session, application.id)
        if household_id is not None:
            await categories.decide(
                session,
                actor,
                household_id,
                CategoryDecision.model_validate(
                    {
                        "action": "exit",
                        "effective_date": body.effective_date,
                        "reason": f"停发：{body.reasons}"[:500],
                    }
                ),
            )
        procedure.outcome = "stopped"
        procedure.stopped_on = body.effective_date
    else:
        procedure.monthly_amount = body.monthly_amount
        await reduction.to_registry(session, actor, application.id, body)
    await session.flush()
    await audit.record(
        session,
        actor,
        f"procedure.{body.action.value}",
        "application",
        application_id,
        {
            "effective_date": body.effective_date.isoformat(),
            "document_id": document.id,
            "monthly_amount": None if body.monthly_amount is None else f"{body.monthly_amount:.2f}",
        },
    )
    return procedure
