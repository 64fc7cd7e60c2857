"""Dynamic management (动态管理): enrol a household in a category, change it, or exit it. The
history is append-only and keeps the standard in force at each decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository, service
from app.households.categories import care, scheduled
from app.households.categories.schemas import (
    CategoryAction,
    CategoryChangeOut,
    CategoryDecision,
    CategoryHistoryPage,
    RecordedAction,
)
from app.households.categories.vocabulary import CareArrangement
from app.households.changelog import ChangeLog, current_members
from app.households.errors import InvalidCategoryAction
from app.kit import audit
from app.kit.actor import Actor
from app.kit.money import money
from app.kit.pagination import after_id, split_page
from app.kit.timeutil import local_today, now
from app.models.household import CategoryChange, Household
from app.schedules import recompute as schedules
from app.standards.repository import value_in_force


@dataclass(frozen=True)
class Decision:
    action: CategoryAction
    category: str | None
    effective_date: date
    reason: str
    monthly_amount: Decimal | None = None
    application_id: int | None = None
    care_arrangement: CareArrangement | None = None


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
    session: AsyncSession, household: Household, category: str | None, on: date
) -> Decimal | None:
    """The standard governing the category on the effective date: the tekun standard for
    tekun, the dibao standard otherwise (edge and expenditure lines are multiples of it)."""
    kind = "tekun" if category == "tekun" else "dibao"
    value = await value_in_force(session, household.region_code, kind, on)
    return money(value) if value is not None else None


async def apply_decision(
    session: AsyncSession, actor: Actor, household: Household, decision: Decision
) -> CategoryChange:
    """Record the decision in the history and bring the household in line with it: an exit
    leaves the registry as ``exited`` with its members inactive (free to join another
    household); a later enrolment re-activates them, under the one-active-household rule.
    Refused (409) while another decision waits for its date."""
    _check_allowed(household, decision)
    await scheduled.refuse_if_pending(session, household.id)
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
    if decision.care_arrangement is not None:
        care.change(log, household, decision.care_arrangement, action)
    care.follow_category(log, household, action)
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
        standard_value=await _standard_at(
            session, household, decision.category, decision.effective_date
        ),
        applied_at=now(),
    )
    session.add(change)
    await repository.flush_members(session)
    await log.save(
        session,
        actor,
        f"household.{action}",
        {"category": decision.category, "previous_category": previous},
    )
    # The category decides the visit cycle (an approval's enrolment comes through here too).
    await schedules.recompute_household(session, household.id)
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
        care_arrangement=body.care_arrangement,
    )
    care.check(decision.category, decision.care_arrangement)
    if decision.effective_date > local_today():
        if decision.care_arrangement is not None:
            raise care.NotYetInForce()
        await schedule_decision(session, actor, household, decision)
    else:
        await apply_decision(session, actor, household, decision)
    return household


async def schedule_decision(
    session: AsyncSession, actor: Actor, household: Household, decision: Decision
) -> CategoryChange:
    """Record a decision dated in the future: the household stays as it is until the nightly
    job applies it on its date. A household that has exited is enrolled again only from today
    (its members must be checked against the one-active-household rule when they rejoin)."""
    _check_allowed(household, decision)
    if household.status != "active":
        raise InvalidCategoryAction("已退出监测的家庭重新纳入须自当日起生效，不能预约")
    await scheduled.refuse_if_pending(session, household.id)
    change = CategoryChange(
        household_id=household.id,
        action=decision.action.value,
        category=decision.category,
        previous_category=household.category,
        effective_date=decision.effective_date,
        reason=decision.reason,
        approved_by_id=actor.id if actor.kind == "staff" else None,
        monthly_amount=decision.monthly_amount,
        standard_value=await _standard_at(
            session, household, decision.category, decision.effective_date
        ),
    )
    session.add(change)
    await session.flush()
    await audit.record(
        session,
        actor,
        "household.category_scheduled",
        "household",
        household.id,
        {
            "change_id": change.id,
            "action": decision.action.value,
            "category": decision.category,
            "effective_date": decision.effective_date.isoformat(),
        },
    )
    return change


async def adjust_amount(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    monthly_amount: Decimal,
    effective_date: date,
    reason: str,
    application_id: int | None = None,
) -> CategoryChange:
    """A new monthly amount in the household's category (a statutory procedure's reduction,
    减发), in the decision's transaction: the history gains an ``adjust`` with the category
    unchanged, so its newest applied decision carries the amount paid (what standard
    recalculations start from); versioned and audited like any change. Dated after today it
    waits for its date like any decision; refused (409) while another waits, or when the
    household is in no category."""
    household = await service.load_for_change(session, actor, household_id)
    if household.status != "active" or household.category is None:
        raise InvalidCategoryAction("该户当前不在任何救助类别中，不能调整保障金额")
    await scheduled.refuse_if_pending(session, household.id)
    old_amount = await repository.current_amount(session, household.id)
    in_force = effective_date <= local_today()
    change = CategoryChange(
        household_id=household.id,
        action=RecordedAction.adjust.value,
        category=household.category,
        previous_category=household.category,
        effective_date=effective_date,
        reason=reason,
        approved_by_id=actor.id if actor.kind == "staff" else None,
        application_id=application_id,
        monthly_amount=monthly_amount,
        standard_value=await _standard_at(session, household, household.category, effective_date),
        applied_at=now() if in_force else None,
    )
    session.add(change)
    await session.flush()
    detail = {
        "change_id": change.id,
        "monthly_amount": f"{monthly_amount:.2f}",
        "effective_date": effective_date.isoformat(),
    }
    log = ChangeLog(household)
    if in_force:
        log.note("category_adjust", "monthly_amount", old_amount, monthly_amount)
    # The same amount again changes no field: the decision is audited all the same.
    if not await log.save(session, actor, "household.category_adjust", detail):
        action = "household.category_adjust" if in_force else "household.category_scheduled"
        await audit.record(session, actor, action, "household", household.id, detail)
    return change


async def record_care_arrangement(
    session: AsyncSession, actor: Actor, household_id: int, arrangement: CareArrangement
) -> None:
    """The arrangement a tekun decision fixed (a statutory procedure's ``confirm`` step), on
    the subject's household, in the decision's transaction; versioned and audited like any
    change. Nothing is recorded on a household outside the actor's jurisdiction or not in
    tekun (the approval left it as it was, and says so in its note)."""
    household = await repository.get_readable(
        session, actor, household_id, for_update=True, with_members=True
    )
    if household is None or household.category != "tekun":
        return
    log = ChangeLog(household)
    care.change(log, household, arrangement)
    await log.save(session, actor, "household.care_arrangement", {care.FIELD: arrangement.value})


async def cancel_scheduled(session: AsyncSession, actor: Actor, household_id: int) -> Household:
    """Withdraw the decision waiting for its date (district officers)."""
    household = await service.load_for_change(session, actor, household_id)
    await scheduled.cancel(session, actor, household, now())
    return household


async def history(
    session: AsyncSession, actor: Actor, household_id: int, limit: int, cursor: str | None
) -> CategoryHistoryPage:
    """One page of a household's enrolments, changes and exits, newest first."""
    household = await service.readable(session, actor, household_id)
    rows = await repository.list_category_history(
        session, household.id, before_id=after_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(rows, limit)
    return CategoryHistoryPage(
        items=[
            CategoryChangeOut.model_validate(r).model_copy(update={"status": _status(r)})
            for r in rows
        ],
        next_cursor=next_cursor,
    )


def _status(change: CategoryChange) -> str:
    if change.cancelled_at is not None:
        return "cancelled"
    return "scheduled" if change.applied_at is None else "applied"
