"""The facts the Python twins read, loaded for one household or one person: what a worker
checking a warning by hand would gather, and what the agreement test compares with the SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.households.eligibility.rules import MemberFacts as EligibilityMember
from app.households.eligibility.rules import assess
from app.kit.idnumber import age
from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.twin import (
    HouseholdFacts,
    MemberFact,
    PersonFacts,
    SignalFact,
)
from app.standards.repository import standards_in_force


def _signal_fact(s: Signal) -> SignalFact:
    return SignalFact(
        id=s.id,
        source=s.source,
        import_id=s.import_id,
        row=s.row_number,
        person_hash=s.person_hash,
        occurred_on=s.occurred_on,
        created_at=s.created_at,
        amount=s.amount,
        quantity=s.quantity,
        flag=s.flag,
        region_code=s.region_code,
    )


async def household_facts(
    session: AsyncSession, household_id: int, on: date
) -> HouseholdFacts | None:
    """An active household's facts, or None when it is not active."""
    household = await session.get(Household, household_id)
    if household is None or household.status != "active":
        return None
    members = list(
        await session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.household_id == household_id, HouseholdMember.active)
            .order_by(HouseholdMember.id)
        )
    )
    hashes = [m.id_hash for m in members]
    signals = (
        list(await session.scalars(select(Signal).where(Signal.person_hash.in_(hashes))))
        if hashes
        else []
    )
    standards = await standards_in_force(session, household.region_code, on)
    qualifies: tuple[str, ...] = ()
    if standards.dibao is not None:
        qualifies = tuple(
            assess(
                [
                    EligibilityMember(
                        name=m.name,
                        relation=m.relation,
                        age=age(m.birth_date, on),
                        work_capacity=m.work_capacity,
                        monthly_income=m.monthly_income,
                        disability_grade=m.disability_grade,
                        severe_illness=m.severe_illness,
                    )
                    for m in members
                ],
                medical_spending=household.medical_spending,
                education_spending=household.education_spending,
                standards=standards,
            ).qualifies
        )
    return HouseholdFacts(
        id=household.id,
        region_code=household.region_code,
        category=household.category,
        members=tuple(
            MemberFact(
                id=m.id,
                id_hash=m.id_hash,
                name=m.name,
                birth_date=m.birth_date,
                monthly_income=m.monthly_income,
                disability_grade=m.disability_grade,
            )
            for m in members
        ),
        signals=tuple(_signal_fact(s) for s in signals),
        monthly_income_total=household.monthly_income_total,
        medical_spending=household.medical_spending,
        education_spending=household.education_spending,
        dibao_standard=standards.dibao,
        qualifies=qualifies,
    )


async def person_facts(session: AsyncSession, person_hash: str) -> PersonFacts | None:
    """A person known from signals and in no active household, or None when monitored."""
    monitored = await session.scalar(
        select(HouseholdMember.id).where(
            HouseholdMember.id_hash == person_hash, HouseholdMember.active
        )
    )
    if monitored is not None:
        return None
    signals = await session.scalars(select(Signal).where(Signal.person_hash == person_hash))
    return PersonFacts(person_hash=person_hash, signals=tuple(_signal_fact(s) for s in signals))
