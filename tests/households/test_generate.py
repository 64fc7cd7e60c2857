from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.db.session import session_scope
from app.devtools import generate as generate_module
from app.devtools.demo_registry import ensure_demo_standards
from app.devtools.generate import Result, generate
from app.kit.crypto import get_cipher, mask_id_number
from app.kit.idnumber import birth_date, normalise_id_number, sex
from app.models.audit import AuditEvent
from app.models.household import CategoryChange, Household, HouseholdMember
from tests.helpers import login_staff

CLEAR_ID = re.compile(r"\d{17}[\dX]")


async def make(people: int, **options: object) -> Result:
    async with session_scope() as session:
        await ensure_demo_standards(session)
    async with session_scope() as session:
        return await generate(session, people, **options)  # type: ignore[arg-type]


async def check_population(result: Result, people: int) -> None:
    cipher = get_cipher()
    async with session_scope() as session:
        households = list(await session.scalars(select(Household)))
        members = list(await session.scalars(select(HouseholdMember)))
        changes = list(await session.scalars(select(CategoryChange)))
    assert result.people == people == len(members)
    assert result.households == len(households)
    assert 3.0 <= people / len(households) <= 3.6
    assert len({m.id_hash for m in members}) == people
    assert len({h.reference for h in households}) == len(households)

    by_household: dict[int, list[HouseholdMember]] = {}
    numbers: list[str] = []
    for member in members:
        by_household.setdefault(member.household_id, []).append(member)
        number = cipher.decrypt(member.id_enc)
        assert normalise_id_number(number) == number
        assert cipher.keyed_hash(number) == member.id_hash
        assert mask_id_number(number) == member.id_masked
        assert birth_date(number) == member.birth_date
        assert sex(number) == member.sex
        numbers.append(number)
    for household in households:
        own = by_household[household.id]
        assert household.members_count == len(own)
        assert household.monthly_income_total == sum(
            (m.monthly_income for m in own), Decimal("0.00")
        )
        assert household.has_severe_member == any(
            m.disability_grade in (1, 2) or m.severe_illness for m in own
        )
        heads = [m for m in own if m.relation == "head"]
        assert len(heads) == 1
        assert (household.head_name, household.head_id_masked) == (
            heads[0].name,
            heads[0].id_masked,
        )

    # No ID number in clear anywhere in what was stored.
    stored = "\n".join(
        [
            *(f"{m.name} {m.id_enc} {m.id_hash} {m.id_masked} {m.income_sources}" for m in members),
            *(f"{h.reference} {h.address} {h.head_name} {h.head_id_masked}" for h in households),
            *(c.reason for c in changes),
        ]
    )
    assert not [n for n in numbers if n in stored]
    assert len(CLEAR_ID.findall(" ".join(m.id_masked for m in members))) == 0

    categorised = [h for h in households if h.category]
    assert len(changes) == len(categorised) == result.changes
    enrolled = {c.household_id: c for c in changes}
    for household in categorised:
        change = enrolled[household.id]
        assert (change.action, change.category) == ("enrol", household.category)
        assert change.effective_date == household.category_since
        assert change.standard_value is not None
        # Generated decisions are in force: the nightly job has nothing to apply.
        assert change.applied_at is not None
    shares = Counter(h.category for h in households)
    assert shares.most_common(1)[0][0] == "dibao"
    assert {"dibao_edge", "tekun", "expenditure_hardship", "other_special"} <= set(shares)


async def all_mismatches(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = []  # type: ignore[type-arg]
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/staff/eligibility/mismatches", params=params, headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


async def test_a_small_population_is_consistent(client: httpx.AsyncClient) -> None:
    result = await make(2500)
    await check_population(result, 2500)
    district = await login_staff(client, "district1", "district_officer", "510115000000")
    mismatches = await all_mismatches(client, district)
    # Exactly the households made out of step, nothing by accident.
    assert len(mismatches) == result.mismatched > 0
    async with session_scope() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "registry.generate")
        )
    assert audited == 1


async def test_a_second_run_adds_other_people(client: httpx.AsyncClient) -> None:
    first = await make(800, seed=7)
    second = await make(700, seed=7)
    async with session_scope() as session:
        hashes = list(await session.scalars(select(HouseholdMember.id_hash)))
    assert len(hashes) == len(set(hashes)) == first.people + second.people == 1500


async def test_parallel_bulk_load_on_postgres(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgres":
        pytest.skip("the process pool and COPY path run on PostgreSQL")
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", 1000)
    monkeypatch.setattr(generate_module, "MIN_CHUNK", 100)
    result = await make(3000, workers=2)
    assert set(result.timings) >= {"waiting for workers", "copying", "indexes"}
    await check_population(result, 3000)
