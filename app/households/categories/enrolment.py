"""Enrolment from an approved application: the registry's step of the approval flow
(:mod:`app.intake.flows`). It takes what the approval decided, not intake's rows, and returns
the sentence intake records on its own approval event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository, service
from app.households.categories.schemas import CategoryAction
from app.households.categories.service import Decision, apply_decision
from app.households.categories.vocabulary import CATEGORY_NAMES
from app.households.contact import members_to_record
from app.households.schemas import HouseholdCreate, MemberIn, Relation
from app.kit.actor import Actor
from app.models.household import Household

NO_ID_NUMBER = "申请未提供身份证号，未能纳入监测家庭；请补录后手工建档"
OUTSIDE = "申请对象已在审批人辖区以外的在册家庭中，未更新其类别"


@dataclass(frozen=True)
class ApprovedSubject:
    """What an approval decided about its subject."""

    application_id: int
    application_reference: str
    name: str
    id_number: str | None  # in clear, for the new member's own encryption
    id_hash: str | None
    region_code: str
    address: str
    phone: str | None  # in clear, for the household's own encryption
    household_size: int | None  # as declared on the application
    category: str
    monthly_amount: Decimal | None
    decided_on: date


async def _subject_household(
    session: AsyncSession, actor: Actor, id_hash: str
) -> Household | str | None:
    """The household the subject is an active member of, ``None`` if none, or a note on why
    it cannot be used."""
    household_id = await repository.active_household_id_of(session, id_hash)
    if household_id is None:
        return None
    household = await repository.get_readable(
        session, actor, household_id, for_update=True, with_members=True
    )
    return OUTSIDE if household is None else household


async def enrol(session: AsyncSession, actor: Actor, subject: ApprovedSubject) -> str:
    """Enrol the subject's household (registering it if needed) or change its category; the
    returned note says what happened. A subject without an ID number cannot be registered,
    which the note says instead of failing the approval."""
    if subject.id_number is None or subject.id_hash is None:
        return NO_ID_NUMBER
    found = await _subject_household(session, actor, subject.id_hash)
    if isinstance(found, str):
        return found
    household = found
    if household is None:
        head = MemberIn(name=subject.name, id_number=subject.id_number, relation=Relation.head)
        body = HouseholdCreate(
            region_code=subject.region_code,
            address=subject.address,
            phone=subject.phone,
            declared_size=subject.household_size,
            members=[head],
        )
        household = await service.create_household(
            session, actor, body, application_id=subject.application_id
        )
    name = CATEGORY_NAMES[subject.category]
    if household.category == subject.category:
        return f"申请对象所在家庭 {household.reference} 已是{name}，类别未变"
    decision = Decision(
        action=CategoryAction.change if household.category else CategoryAction.enrol,
        category=subject.category,
        effective_date=subject.decided_on,
        reason=f"申请 {subject.application_reference} 审批通过",
        monthly_amount=subject.monthly_amount,
        application_id=subject.application_id,
    )
    await apply_decision(session, actor, household, decision)
    note = f"已纳入监测家庭 {household.reference}（{name}）"
    missing = members_to_record(household)
    if missing:
        note += f"；申报家庭人口 {household.declared_size} 人，其余 {missing} 人待入户核实后补录"
    return note
