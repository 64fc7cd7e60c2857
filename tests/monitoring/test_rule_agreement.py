"""Each rule's SQL (one statement over everyone) and its Python twin (one household or person)
must agree on whom they flag and on the evidence, for random data near every threshold."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.db.session import session_scope
from app.kit.timeutil import local_today
from app.models.warning import EarlyWarning
from app.monitoring.rules import repository
from app.monitoring.rules.base import (
    SubjectKind,
)
from app.monitoring.rules.catalog import RULES
from app.monitoring.rules.facts import household_facts, person_facts
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
)
from app.monitoring.warnings.scans import full_scan
from tests.helpers import id_number
from tests.households.builders import Person, add_standard
from tests.households.builders import insert_household as create_household
from tests.monitoring.signals import add_signal, new_import

WENJIANG = "510115000000"
COMMUNITIES = ["510115001001", "510115001002", "510115002001"]
CATEGORIES = [None, "dibao", "dibao_edge", "tekun", "expenditure_hardship", "other_special"]


def _born(rng: random.Random, today: date) -> date:
    """Birthdays a day either side of the ages the rules look at."""
    years = rng.choice([5, 6, 16, 17, 18, 30, 45, 59, 60, 75])
    anniversary = date(today.year - years, today.month, min(today.day, 28))
    return anniversary + timedelta(days=rng.choice([-1, 0, 1]))


def _near(rng: random.Random, today: date) -> date:
    """Dates a day either side of the rules' windows."""
    days = rng.choice([1, 10, 29, 30, 31, 89, 90, 91, 200, 364, 365, 366])
    return today - timedelta(days=days + rng.choice([-1, 0, 1]))


def _month_ago(rng: random.Random, today: date, months: int) -> date:
    return today - timedelta(days=30 * months + rng.choice([-2, 0, 2]))


async def _signals_for(
    rng: random.Random, number: str, today: date, imports: dict[str, int]
) -> None:
    for _ in range(rng.choice([0, 1, 2, 3, 4])):
        source = rng.choice(
            [
                "medical",
                "medical",
                "death",
                "disability",
                "unemployment",
                "utility_arrears",
                "housing_safety",
                "vehicle",
                "business",
                "income",
                "income",
                "school_aid",
            ]
        )
        kwargs: dict[str, object] = {}
        when = _near(rng, today)
        if source == "medical":
            kwargs["amount"] = rng.choice(
                [
                    "999.99",
                    "1000.00",
                    "1000.01",
                    "2500.00",
                    "4999.99",
                    "5000.01",
                    "7500.00",
                    "14999.99",
                    "15000.00",
                    "15000.01",
                    "0.01",
                ]
            )
            kwargs["flag"] = rng.choice([None, "inpatient", "inpatient"])
            if kwargs["flag"]:
                when = today - timedelta(days=rng.choice([1, 29, 30, 31]))
        elif source == "disability":
            kwargs["quantity"] = rng.choice([1, 2, 3, 4])
        elif source == "utility_arrears":
            kwargs["quantity"] = rng.choice([2, 3, 4])
        elif source == "housing_safety":
            kwargs["flag"] = rng.choice(["A", "B", "C", "D"])
        elif source == "income":
            kwargs["amount"] = rng.choice(["1304.99", "1305.00", "1305.01", "2610.01", "5000.00"])
            kwargs["flag"] = rng.choice([None, "wage", "disability_allowance"])
            when = _month_ago(rng, today, rng.choice([0, 1, 2, 3]))
        await add_signal(
            source,
            number,
            when,
            import_id=imports[source],
            region_code=rng.choice([None, *COMMUNITIES]),
            **kwargs,  # type: ignore[arg-type]
        )


async def test_sql_and_python_agree_near_every_threshold() -> None:
    today = local_today()
    await add_standard(WENJIANG, "dibao", "870.00", date(2022, 7, 1))
    await add_standard("510115002000", "dibao", "901.01", date(2024, 1, 1))
    rng = random.Random(20261130)
    sources = [
        "medical",
        "death",
        "disability",
        "unemployment",
        "utility_arrears",
        "housing_safety",
        "vehicle",
        "business",
        "income",
        "school_aid",
    ]
    imports = {source: await new_import(source) for source in sources}
    households: list[int] = []
    people: list[str] = []
    for index in range(45):
        size = rng.choice([1, 1, 2, 3, 4])
        members = []
        for m in range(size):
            number = id_number(_born(rng, today))
            members.append(
                Person(
                    f"人{index}-{m}",
                    _born(rng, today),
                    rng.choice(["0.00", "0.00", "0.01", "600.00", "870.00", "1305.00", "3000.00"]),
                    relation="head" if m == 0 else "child",
                    work_capacity=rng.choice(["none", "full"]),
                    disability_grade=rng.choice([None, None, 1, 2, 3]),
                    id_number=number,
                )
            )
        households.append(
            await create_household(
                rng.choice(COMMUNITIES),
                members,
                category=rng.choice(CATEGORIES),
                medical=rng.choice(["0.00", "100.00", "900.00"]),
            )
        )
        for person in members:
            await _signals_for(rng, person.id_number, today, imports)
        if index % 4 == 0:
            # Monthly income around 1.5 times the standard per head, month after month.
            for months in range(4):
                per_head = rng.choice(["1305.00", "1305.01", "1351.52", "1351.51"])
                amount = f"{float(per_head) * size + rng.choice([-0.01, 0, 0.01]):.2f}"
                await add_signal(
                    "income",
                    members[0].id_number,
                    _month_ago(rng, today, months),
                    import_id=imports["income"],
                    amount=amount,
                )
    for _ in range(40):
        number = id_number(_born(rng, today))
        await _signals_for(rng, number, today, imports)
        people.append(number)

    async with session_scope() as session:
        # One tuned rule, so agreement is checked away from the defaults too.
        row = await repository.get_for_update(session, "need_medical_spending")
        assert row is not None
        row.params = {**row.params, "dibao_amount": "2500.00", "income_share": "0.2"}
        for rule in RULES:  # every rule runs, including those off by default
            setting = await repository.get_for_update(session, rule.code)
            assert setting is not None
            setting.enabled = True
    async with session_scope() as session:
        await full_scan(session)
        found: dict[tuple[str, str], list[Evidence]] = {}
        for w in await session.scalars(select(EarlyWarning)):
            found[(w.rule_code, w.subject_key)] = sorted(
                Evidence(
                    e["source"], e["import_id"], e["row"], e["field"], e["value"], e["threshold"]
                )
                for e in w.evidence
            )
        settings = await repository.load_all(session)
        expected: dict[tuple[str, str], list[Evidence]] = {}
        subjects: list[tuple[str, object]] = []
        for household_id in households:
            subjects.append(
                (f"h:{household_id}", await household_facts(session, household_id, today))
            )
        from app.kit.crypto import get_cipher

        for number in people:
            person_hash = get_cipher().keyed_hash(number)
            subjects.append((f"p:{person_hash}", await person_facts(session, person_hash)))
        for key, facts in subjects:
            if facts is None:
                continue
            for rule in RULES:
                wanted = (
                    SubjectKind.household
                    if isinstance(facts, HouseholdFacts)
                    else SubjectKind.person
                )
                if rule.subject != wanted:
                    continue
                params = repository.params_of(rule, settings[rule.code].params)
                evidence = rule.check(params, facts, today)
                if evidence:
                    expected[(rule.code, key)] = sorted(evidence)
    # Persons with no signals at all never appear on either side; every rule fired somewhere.
    assert found == expected
    fired = {code for code, _ in found}
    assert fired == {rule.code for rule in RULES}, sorted(fired)


async def test_concurrent_scans_open_each_warning_once() -> None:
    """Two full scans at once: the partial unique index lets only one open the warning."""
    import asyncio

    number = id_number(date(1990, 2, 2))
    await create_household(
        COMMUNITIES[0], [Person("郑一", date(1990, 2, 2), id_number=number)], category="dibao"
    )
    await add_signal("housing_safety", number, local_today() - timedelta(days=1), flag="C")

    async def one() -> int:
        async with session_scope() as session:
            return (await full_scan(session)).warnings_opened

    opened = await asyncio.gather(one(), one())
    assert sorted(opened) == [0, 1]
    async with session_scope() as session:
        rows = list(await session.scalars(select(EarlyWarning)))
    assert [w.rule_code for w in rows] == ["need_housing_unsafe"]


async def test_after_an_import_only_the_people_it_touched_are_evaluated() -> None:
    from app.monitoring.flows import evaluate_after_import
    from tests.monitoring.signals import new_import

    today = local_today()
    touched, untouched = id_number(date(1980, 3, 3)), id_number(date(1981, 3, 3))
    for number, name in ((touched, "甲"), (untouched, "乙")):
        await create_household(
            COMMUNITIES[0], [Person(name, date(1980, 3, 3), id_number=number)], category="dibao"
        )
    earlier = await new_import("unemployment")
    await add_signal("unemployment", untouched, today - timedelta(days=3), import_id=earlier)
    latest = await new_import("unemployment")
    await add_signal("unemployment", touched, today - timedelta(days=2), import_id=latest)
    async with session_scope() as session:
        assert await evaluate_after_import(session, latest) == 1
        assert await evaluate_after_import(session, latest) == 0  # evaluated again: nothing new
        rows = list(await session.scalars(select(EarlyWarning)))
    assert [w.person_name for w in rows] == ["甲"]
    assert rows[0].evidence[0]["import_id"] == latest
