"""Dynamic management (动态管理): enrol a household in a category, change it, or exit it; and
the approval hook that does so when an application is approved. The history is append-only
and keeps the standard in force at each decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository, service
from app.households.changelog import ChangeLog, current_members
from app.households.eligibility.rules import CATEGORY_NAMES
from app.households.errors import InvalidCategoryAction
from app.households.schemas import (
    CategoryAction,
    CategoryDecision,
    HouseholdCreate,
    MemberIn,
    Relation,
)
from app.intake.service import APPROVAL_HOOKS
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import now, to_local
from app.models.application import Application
from app.models.household import CategoryChange, Household
from app.standards.repository import money, value_in_force


@dataclass(frozen=True)
class Decision:
    action: CategoryAction
    category: str | None
    effective_date: date
    reason: str
    monthly_amount: Decimal | None = None
    application_id: int | None = None


def _check_allowed(household: Household, decision: Decision) -> None:
    current = household.category
    if decision.action == CategoryAction.enrol and current is not None:
        raise InvalidCategoryAction(f"该户已是 {current}，请用 change 变更类别")
    if decision.action == CategoryAction.change:
        if current is None:
            raise InvalidCategoryAction("该户当前没有类别，请用 enrol 纳入")
        if decision.category == current:
            raise InvalidCategoryAction(f"该户已是 {current}")
    if decision.action == CategoryAction.exit and household.status != "active":
        raise InvalidCategoryAction("该户已退出监测")


async def _standard_at(
    session: AsyncSession, household: Household, decision: Decision
) -> Decimal | None:
    """The standard governing the category on the effective date: the tekun standard for
    tekun, the dibao standard otherwise (edge and expenditure lines are multiples of it)."""
    kind = "tekun" if decision.category == "tekun" else "dibao"
    value = await value_in_force(session, household.region_code, kind, decision.effective_date)
    return money(value) if value is not None else None


async def apply_decision(
    session: AsyncSession, actor: Actor, household: Household, decision: Decision
) -> CategoryChange:
    """Record the decision in the history and bring the household in line with it: an exit
    leaves the registry as ``exited`` with its members inactive (free to join another
    household); a later enrolment re-activates them, under the one-active-household rule."""
    _check_allowed(household, decision)
    log = ChangeLog(household)
    action = f"category_{decision.action.value}"
    previous = household.category
    members = current_members(household)
    if decision.action == CategoryAction.exit:
        log.set(household, "status", "exited", action)
        for member in members:
            member.active = False
    elif household.status != "active":
        await service.ensure_free(session, (m.id_hash for m in members))
        log.set(household, "status", "active", action)
        for member in members:
            member.active = True
    log.set(household, "category", decision.category, action)
    since = None if decision.action == CategoryAction.exit else decision.effective_date
    log.set(household, "category_since", since, action)
    if decision.application_id is not None:
        log.set(household, "application_id", decision.application_id, action)
    change = CategoryChange(
        household_id=household.id,
        action=decision.action.value,
        category=decision.category,
        previous_category=previous,
        effective_date=decision.effective_date,
        reason=decision.reason,
        approved_by_id=actor.id if actor.kind == "staff" else None,
        application_id=decision.application_id,
        monthly_amount=decision.monthly_amount,
        standard_value=await _standard_at(session, household, decision),
    )
    session.add(change)
    await repository.flush_members(session)
    await log.save(
        session,
        actor,
        f"household.{action}",
        {"category": decision.category, "previous_category": previous},
    )
    return change


async def decide(
    session: AsyncSession, actor: Actor, household_id: int, body: CategoryDecision
) -> Household:
    """A district officer's decision on a household's category."""
    household = await service.load_for_change(session, actor, household_id)
    decision = Decision(
        action=body.action,
        category=body.category.value if body.category else None,
        effective_date=body.effective_date,
        reason=body.reason,
        monthly_amount=body.monthly_amount,
    )
    await apply_decision(session, actor, household, decision)
    return household


async def _case_note(session: AsyncSession, application: Application, note: str) -> None:
    """Add to the approval event's internal note (staff see it; the applicant's timeline
    shows public notes only)."""
    approval = next(e for e in reversed(application.events) if e.action == "approve")
    approval.note = f"{approval.note}\n{note}" if approval.note else note
    await session.flush()


async def _subject_household(
    session: AsyncSession, actor: Actor, application: Application
) -> Household | str | None:
    """The household the subject is an active member of, ``None`` if none, or a note on why
    it cannot be used."""
    assert application.subject_id_hash is not None
    household_id = await repository.active_household_id_of(session, application.subject_id_hash)
    if household_id is None:
        return None
    household = await repository.get_readable(
        session, actor, household_id, for_update=True, with_members=True
    )
    if household is None:
        return "申请对象已在审批人辖区以外的在册家庭中，未更新其类别"
    return household


async def enrol_from_application(
    session: AsyncSession, actor: Actor, application: Application
) -> None:
    """Approval enrols the subject's household, or updates its category; a subject without
    an ID number cannot be registered, which the case notes instead of failing the approval."""
    category = application.decision_category
    if category is None:
        return
    if application.subject_id_enc is None or application.subject_id_hash is None:
        await _case_note(
            session, application, "申请未提供身份证号，未能纳入监测家庭；请补录后手工建档"
        )
        return
    found = await _subject_household(session, actor, application)
    if isinstance(found, str):
        await _case_note(session, application, found)
        return
    household = found
    if household is None:
        head = MemberIn(
            name=application.subject_name,
            id_number=get_cipher().decrypt(application.subject_id_enc),
            relation=Relation.head,
        )
        body = HouseholdCreate(
            region_code=application.region_code, address=application.address, members=[head]
        )
        household = await service.create_household(
            session, actor, body, application_id=application.id
        )
    if household.category == category:
        await _case_note(
            session,
            application,
            f"申请对象所在家庭 {household.reference} 已是{CATEGORY_NAMES[category]}，类别未变",
        )
        return
    decided = to_local(application.decided_at or now()).date()
    decision = Decision(
        action=CategoryAction.change if household.category else CategoryAction.enrol,
        category=category,
        effective_date=decided,
        reason=f"申请 {application.reference} 审批通过",
        monthly_amount=application.decision_amount,
        application_id=application.id,
    )
    await apply_decision(session, actor, household, decision)
    await _case_note(
        session,
        application,
        f"已纳入监测家庭 {household.reference}（{CATEGORY_NAMES[category]}）",
    )


if enrol_from_application not in APPROVAL_HOOKS:
    APPROVAL_HOOKS.append(enrol_from_application)
