"""Eligibility of one household, and the worklist of households whose category no longer
matches their data (动态管理: 应退尽退、应保尽保)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.households.categories.vocabulary import CATEGORY_NAMES, Category
from app.households.eligibility import repository
from app.households.eligibility.rules import (
    MemberFacts,
    assess,
    per_head,
    yuan,
)
from app.households.eligibility.schemas import EligibilityOut, MismatchItem, MismatchPage
from app.households.errors import household_not_found
from app.households.schemas import Head
from app.kit.actor import Actor
from app.kit.idnumber import age
from app.kit.pagination import encode_cursor
from app.regions.service import region_names
from app.standards.repository import standards_in_force
from app.standards.service import format_value

HUNDRED = Decimal(100)


class StandardNotSet(Conflict):
    code = "standard_not_set"
    message = "该地区在该日期没有执行中的低保标准"


async def household_eligibility(
    session: AsyncSession, actor: Actor, household_id: int, on: date
) -> EligibilityOut:
    """Apply the rules to a household's active members with the standard in force on ``on``."""
    household = await repository.get_readable(session, actor, household_id)
    if household is None:
        raise household_not_found()
    standards = await standards_in_force(session, household.region_code, on)
    if standards.dibao is None:
        raise StandardNotSet(f"{household.region_code} 在 {on.isoformat()} 没有执行中的低保标准")
    members = [
        MemberFacts(
            name=m.name,
            relation=m.relation,
            age=age(m.birth_date, on),
            work_capacity=m.work_capacity,
            monthly_income=m.monthly_income,
            disability_grade=m.disability_grade,
            severe_illness=m.severe_illness,
        )
        for m in await repository.active_members(session, household.id)
    ]
    result = assess(
        members,
        medical_spending=household.medical_spending,
        education_spending=household.education_spending,
        standards=standards,
    )
    return EligibilityOut(
        on=on,
        region_code=household.region_code,
        standard=result.standard,
        edge_multiplier=format_value("edge_multiplier", result.edge_multiplier),
        edge_threshold=result.edge_threshold,
        tekun_standard=result.tekun_standard,
        members_counted=result.members_counted,
        income_total=result.income_total,
        income_per_head=result.income_per_head,
        income_per_head_after_rigid_spending=result.income_per_head_after_rigid_spending,
        qualifies=result.qualifies,
        current_category=household.category,
        steps=result.steps,
    )


def _why_not(
    current: str, row: Mapping[str, Any], head: Decimal, after: Decimal, s: str, e: str
) -> str:
    """Why the current category no longer fits."""
    total = Decimal(row["monthly_income_total"])
    if current == Category.dibao:
        return f"人均月收入 {yuan(head)} 已不低于低保标准 {s}，且没有可按单人户纳入的重残重病成员"
    if current == Category.tekun:
        if total > 0:
            return f"家庭月收入 {yuan(total)}，特困人员应无收入"
        return "家中有有劳动能力、或不属于老年、未成年、重度残疾的成员"
    if current == Category.dibao_edge:
        if row["q_income"]:
            return f"人均月收入 {yuan(head)} 已低于低保标准 {s}"
        return f"人均月收入 {yuan(head)} 已不低于低保边缘线 {e}"
    if current == Category.expenditure_hardship:
        if row["q_income"]:
            return f"人均月收入 {yuan(head)} 已低于低保标准 {s}"
        return f"扣除刚性支出后人均月收入 {yuan(after)} 已不低于低保标准 {s}"
    if current == Category.other_special:
        return "家中没有本人收入低于低保标准的一、二级残疾或重病成员"
    return "现类别与家庭情况不符"


def _why_suggested(
    suggested: str, row: Mapping[str, Any], head: Decimal, after: Decimal, s: str, e: str
) -> str:
    if suggested == Category.tekun:
        return "在册成员均无劳动能力、无收入，且为老年、未成年或重度残疾人员，建议认定为特困人员"
    if suggested == Category.dibao:
        if row["q_income"]:
            return f"人均月收入 {yuan(head)} 低于低保标准 {s}，建议纳入低保"
        return "有本人收入低于标准的重残重病成员，建议按单人户纳入低保"
    if suggested == Category.expenditure_hardship:
        return (
            f"扣除刚性支出后人均月收入 {yuan(after)} 低于低保标准 {s}，建议认定为刚性支出困难家庭"
        )
    if suggested == Category.dibao_edge:
        return f"人均月收入 {yuan(head)} 低于低保边缘线 {e}，建议认定为低保边缘家庭"
    return "已不符合任何监测类别，建议退出"


def mismatch_reason(row: Mapping[str, Any]) -> tuple[str, Decimal, Decimal, Decimal]:
    """A sentence for the worklist, and the figures behind it."""
    n = int(row["members_count"])
    total = Decimal(row["monthly_income_total"])
    spending = Decimal(row["medical_spending"]) + Decimal(row["education_spending"])
    head = per_head(total, n)
    after = per_head(total - spending, n)
    standard = Decimal(int(row["standard_cents"])) / HUNDRED
    s = yuan(standard)
    e = yuan(Decimal(int(row["edge_cents"])) / HUNDRED)
    suggestion = _why_suggested(row["suggested"], row, head, after, s, e)
    if row["category"] is None:
        return f"尚未认定类别；{suggestion}。", standard, head, after
    current = CATEGORY_NAMES.get(row["category"], row["category"])
    why = _why_not(row["category"], row, head, after, s, e)
    return f"现为{current}，但{why}；{suggestion}。", standard, head, after


def mismatch_item(row: Mapping[str, Any], region_name: str, on: date) -> MismatchItem:
    reason, standard, head, after = mismatch_reason(row)
    return MismatchItem(
        id=row["id"],
        reference=row["reference"],
        region_code=row["region_code"],
        region_name=region_name,
        address=row["address"],
        category=row["category"],
        category_since=row["category_since"],
        risk_level=row["risk_level"],
        causes=row["causes"] or [],
        members_count=row["members_count"],
        declared_size=row["declared_size"],
        phone_masked=row["phone_masked"],
        monthly_income_total=Decimal(row["monthly_income_total"]),
        head=Head(name=row["head_name"], id_number_masked=row["head_id_masked"]),
        status=row["status"],
        version=row["version"],
        updated_at=row["updated_at"],
        current_category=row["category"],
        suggested=row["suggested"],
        reason=reason,
        on=on,
        standard=standard,
        income_per_head=head,
        income_per_head_after_rigid_spending=after,
    )


async def mismatches(
    session: AsyncSession,
    actor: Actor,
    *,
    on: date,
    region_code: str | None = None,
    suggested: str | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> MismatchPage:
    """The worklist, newest household first; ``limit=None`` returns every mismatch."""
    rows = await repository.list_mismatches(
        session,
        actor,
        on=on,
        region_code=region_code,
        suggested=suggested,
        before_id=before_id,
        limit=None if limit is None else limit + 1,
    )
    more = limit is not None and len(rows) > limit
    if limit is not None:
        rows = rows[:limit]
    names = await region_names(session, {r["region_code"] for r in rows})
    return MismatchPage(
        items=[mismatch_item(r, names.get(r["region_code"], ""), on) for r in rows],
        next_cursor=encode_cursor(rows[-1]["id"]) if more else None,
    )
