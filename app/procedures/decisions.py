"""What each step does beyond being recorded: the two surveyors, the notice and its
documents, the democratic review, the spot-check share, the decision (approving or denying the
application through intake's flow), the refusal notice, termination and the advance payment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.calendar import service as calendar_service
from app.calendar.clock import Basis
from app.config import get_settings
from app.households import repository as households
from app.households.categories import service as categories
from app.households.categories.schemas import CategoryDecision
from app.intake import flows as intake_flows
from app.intake.schemas import Action, DecisionIn, TransitionIn
from app.kit.actor import Actor
from app.models.application import Application
from app.models.procedure import Procedure
from app.procedures import advance, clocks, dates, documents, rechecks, repository
from app.procedures.errors import SpotCheckRequired, StepInvalid, StepOutOfOrder
from app.procedures.schemas import Outcome, StepIn
from app.procedures.spec import REGISTRY_CATEGORY, Step
from app.regions.jurisdiction import covers

SPOT_CHECK_SHARE = 0.3


async def _surveyors(session: AsyncSession, application: Application, ids: list[int]) -> None:
    if len(ids) < 2:
        raise StepInvalid("入户调查须由至少两名工作人员进行（surveyors）", code="survey_needs_two")
    staff = await repository.staff_members(session, ids)
    ok = [
        s
        for s in staff
        if s.active
        and covers(s.region_code, application.region_code)
        and has_scope(s.role, Scope.cases_work)
    ]
    if len(ok) != len(ids):
        raise StepInvalid("入户调查人员须为辖区覆盖该案件的在岗工作人员", code="invalid_surveyor")


async def _period_end(session: AsyncSession, on: date) -> date | None:
    calendar = await calendar_service.current(session)
    return clocks.due(calendar, on, 7, Basis.calendar_days, [])


async def take(
    session: AsyncSession,
    actor: Actor,
    procedure: Procedure,
    application: Application,
    step: Step,
    body: StepIn,
    on: date,
) -> dict[str, Any]:
    """Do what the step does; returns what its record keeps."""
    detail: dict[str, Any] = {}
    code = step.code
    if code == "survey":
        await _surveyors(session, application, body.surveyors)
        detail["surveyors"] = list(body.surveyors)
    elif code == "notice":
        end = await _period_end(session, on)
        document = await documents.produce(
            session,
            actor,
            "notice",
            procedure,
            application,
            on=on,
            period_end=end,
            amount=body.monthly_amount,
        )
        detail["document_id"] = document.id
        if body.monthly_amount is not None:
            detail["proposed_amount"] = str(body.monthly_amount)
    elif code == "notice_end":
        detail["objections"] = procedure.objections
    elif code == "review":
        if not body.result:
            raise StepInvalid("民主评议须记录评议结果（result）", code="review_result_required")
        detail["result"] = body.result
    elif code == "spot_check":
        procedure.spot_checked = True
    elif step.decision:
        detail.update(await _decide(session, actor, procedure, application, body, on))
    elif code == "refusal_notice":
        reasons = await _refusal_reasons(session, procedure)
        document = await documents.produce(
            session, actor, "refusal", procedure, application, on=on, reasons=reasons
        )
        detail["document_id"] = document.id
    elif code == "termination_notice":
        if procedure.outcome != "approved":
            raise StepOutOfOrder("只有已认定的特困人员才能终止救助供养")
        if not body.reasons:
            raise StepInvalid("终止救助供养须说明理由（reasons）", code="reasons_required")
        end = await _period_end(session, on)
        document = await documents.produce(
            session,
            actor,
            "termination_notice",
            procedure,
            application,
            on=on,
            reasons=body.reasons,
            period_end=end,
        )
        detail.update(document_id=document.id, reasons=body.reasons)
    elif code == "termination":
        await _exit_household(session, actor, application, on, "特困人员终止救助供养（公示期满）")
        procedure.outcome = "terminated"
    elif code == "advance":
        limit = get_settings().advance_aid_limit
        if body.amount is None:
            raise StepInvalid("先行救助须给出金额（amount）", code="amount_required")
        if body.amount > limit:
            raise StepInvalid(
                f"先行救助金额超出经办人员可决定的额度（{limit:.2f} 元），须按程序审批",
                code="advance_above_limit",
                extra={"limit": f"{limit:.2f}"},
            )
        procedure.advance_amount = body.amount
        detail["amount"] = f"{body.amount:.2f}"
        detail.update(
            await advance.to_ledger(session, actor, procedure, application, body.amount, on)
        )
    return detail


async def _refusal_reasons(session: AsyncSession, procedure: Procedure) -> str:
    rows = await repository.steps(session, procedure.id)
    confirm = next(r for r in rows if r.step == "confirm")
    return str((confirm.detail or {}).get("reasons", ""))


async def _decide(
    session: AsyncSession,
    actor: Actor,
    procedure: Procedure,
    application: Application,
    body: StepIn,
    on: date,
) -> dict[str, Any]:
    if body.outcome is None:
        raise StepInvalid("须给出决定（outcome: approve 或 refuse）", code="outcome_required")
    if body.outcome == Outcome.refuse:
        if not body.reasons:
            raise StepInvalid("不予批准须说明理由（reasons）", code="reasons_required")
        await intake_flows.transition(
            session,
            actor,
            application.id,
            TransitionIn(action=Action.deny, note=body.note, public_note="经审核，不予批准"),
            by_procedure=True,
        )
        procedure.outcome, procedure.decided_on = "refused", on
        return {"outcome": "refuse", "reasons": body.reasons}
    detail: dict[str, Any] = {"outcome": "approve"}
    if procedure.category == "tekun":
        if body.care_arrangement is None:
            raise StepInvalid(
                "特困人员认定须确定供养方式（care_arrangement: dispersed 分散供养 或 "
                "centralized 集中供养）",
                code="care_arrangement_required",
            )
        await _spot_check_share(session, procedure, on)
        procedure.care_arrangement = body.care_arrangement.value
        detail["care_arrangement"] = body.care_arrangement.value
    if procedure.category == "rigid_spending":
        months = body.valid_months or 12
        procedure.valid_until = dates.add_months(on, months) - timedelta(days=1)
        detail["valid_until"] = procedure.valid_until.isoformat()
    registry = REGISTRY_CATEGORY[procedure.category]
    if registry is not None:
        await intake_flows.transition(
            session,
            actor,
            application.id,
            TransitionIn(
                action=Action.approve,
                note=body.note,
                public_note="经审核，予以批准",
                decision=DecisionIn.model_validate(
                    {
                        "category": registry,
                        "monthly_amount": body.monthly_amount,
                        "amount_reason": body.amount_reason,
                    }
                ),
            ),
            by_procedure=True,
        )
        await _record_care(session, actor, application, body)
    else:
        # Aid given once (temporary aid) is no category the registry keeps: approved, and
        # nobody enrolled.
        await intake_flows.approve_without_enrolment(
            session, actor, application.id, note=body.note, public_note="经审核，予以临时救助"
        )
    procedure.outcome, procedure.decided_on = "approved", on
    procedure.monthly_amount = body.monthly_amount
    if body.monthly_amount is not None:
        detail["monthly_amount"] = f"{body.monthly_amount:.2f}"
    document = await documents.produce(session, actor, "decision", procedure, application, on=on)
    detail["document_id"] = document.id
    recheck = await rechecks.schedule(session, procedure, on, body.income_stable)
    if recheck is not None:
        detail["recheck_on"] = recheck.isoformat()
    return detail


async def _record_care(
    session: AsyncSession, actor: Actor, application: Application, body: StepIn
) -> None:
    """The tekun arrangement goes onto the household the approval enrolled, or the subject's
    household when it was in tekun already (the registry's figures count it there)."""
    if body.care_arrangement is None:
        return
    household_id = await repository.household_of(session, application.id)
    if household_id is None and application.subject_id_hash:
        household_id = await households.active_household_id_of(session, application.subject_id_hash)
    if household_id is not None:
        await categories.record_care_arrangement(
            session, actor, household_id, body.care_arrangement
        )


async def _spot_check_share(session: AsyncSession, procedure: Procedure, on: date) -> None:
    """A tekun decision keeps the county's spot-checked share of the year's decisions at 30%
    or more: a case that would bring it below must be spot-checked first."""
    if procedure.spot_checked:
        return
    county = get_settings().district_code[:6]
    total, checked = await repository.tekun_spot_check_share(session, county, on.year)
    if checked < SPOT_CHECK_SHARE * (total + 1):
        raise SpotCheckRequired(extra={"decided": total, "spot_checked": checked})


async def _exit_household(
    session: AsyncSession, actor: Actor, application: Application, on: date, reason: str
) -> None:
    household_id = await repository.household_of(session, application.id)
    if household_id is None:
        return
    await categories.decide(
        session,
        actor,
        household_id,
        CategoryDecision.model_validate({"action": "exit", "effective_date": on, "reason": reason}),
    )
