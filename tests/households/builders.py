"""Build registry rows straight in the database, so eligibility, standards and worklist tests
need no household endpoints. Summary columns are filled as the registry keeps them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.db.session import session_scope
from app.kit.crypto import get_cipher, mask_id_number
from app.kit.idnumber import make_id_number, sex
from app.kit.timeutil import now
from app.models.household import Household, HouseholdMember, Standard
from app.models.region import Region

_numbers = itertools.count(1)
_people = itertools.count(1)


@dataclass
class Person:
    name: str
    born: date
    monthly_income: str = "0.00"
    relation: str = "head"
    work_capacity: str = "full"
    disability_grade: int | None = None
    severe_illness: bool = False
    removed: bool = False
    id_number: str = ""


async def add_standard(region_code: str, kind: str, value: str, effective_from: date) -> int:
    async with session_scope() as session:
        standard = Standard(
            region_code=region_code,
            kind=kind,
            value=Decimal(value),
            effective_from=effective_from,
        )
        session.add(standard)
        await session.flush()
        return standard.id


async def insert_household(
    region_code: str,
    people: list[Person],
    *,
    medical: str = "0.00",
    education: str = "0.00",
    category: str | None = None,
    category_since: date | None = None,
    status: str = "active",
) -> int:
    """A household with members; returns its id."""
    cipher = get_cipher()
    number = next(_numbers)
    members = []
    for person in people:
        id_number = person.id_number or make_id_number(region_code, person.born, next(_people))
        members.append(
            HouseholdMember(
                name=person.name,
                id_enc=cipher.encrypt(id_number),
                id_hash=cipher.keyed_hash(id_number),
                id_masked=mask_id_number(id_number),
                birth_date=person.born,
                sex=sex(id_number),
                relation=person.relation,
                disability_grade=person.disability_grade,
                severe_illness=person.severe_illness,
                work_capacity=person.work_capacity,
                monthly_income=Decimal(person.monthly_income),
                income_sources={},
                active=status == "active" and not person.removed,
            )
        )
    current = [m for m, p in zip(members, people, strict=True) if not p.removed]
    head = next((m for m in current if m.relation == "head"), None)
    household = Household(
        reference=f"TH{number:08d}",
        region_code=region_code,
        address="测试地址",
        status=status,
        category=category,
        category_since=category_since or (date(2025, 1, 1) if category else None),
        causes=[],
        medical_spending=Decimal(medical),
        education_spending=Decimal(education),
        members_count=len(current),
        monthly_income_total=sum((m.monthly_income for m in current), Decimal("0.00")),
        head_name=head.name if head else "",
        head_id_masked=head.id_masked if head else None,
        has_severe_member=any(m.severe_illness or m.disability_grade in (1, 2) for m in current),
    )
    async with session_scope() as session:
        session.add(household)
        await session.flush()
        for member, person in zip(members, people, strict=True):
            member.household_id = household.id
            if person.removed:
                member.removed_at = now()
                member.removed_reason = "迁出"
            session.add(member)
        await session.flush()
        return household.id


async def ensure_region(code: str, name: str, level: str, parent_code: str | None) -> None:
    """A region outside the built-in Wenjiang tree (kept between tests, like the tree)."""
    async with session_scope() as session:
        if await session.get(Region, code) is None:
            session.add(Region(code=code, name=name, level=level, parent_code=parent_code))


async def ensure_dayi() -> None:
    """Chengdu and Dayi county, another district's jurisdiction."""
    await ensure_region("510100000000", "成都市", "city", None)
    await ensure_region("510129000000", "大邑县", "district", "510100000000")
