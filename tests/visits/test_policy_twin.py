"""The set-based due dates (the one UPDATE ... FROM that stores them) agree with the readable
Python rule near every threshold: due yesterday, today and tomorrow; entries taking effect today
and tomorrow; the district's rule, a street's and a community's; a visit pulled forward or not."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import insert, select

from app.kit.timeutil import local_today, now, to_local
from app.models.household import Household
from app.models.visit import VisitPolicy, VisitSchedule
from app.schedules.policy import DEFAULT_CYCLES, Entry, cycle_for, next_due_on, region_columns
from app.schedules.recompute import recompute

REGIONS = ("510115001001", "510115001002", "510115002001")
CATEGORIES = (None, "dibao", "tekun", "dibao_edge", "expenditure_hardship", "other_special")
RISKS = ("high", "medium", "low")


def _entries(today: date) -> list[Entry]:
    return [
        Entry("dibao", "low", None, 60, today - timedelta(days=100)),
        Entry("dibao", "low", None, 50, today),
        Entry("dibao", "low", None, 40, today + timedelta(days=1)),
        Entry("dibao", "low", "510115001000", 70, today - timedelta(days=5)),
        Entry("dibao", "low", "510115001001", 80, today + timedelta(days=1)),
        Entry("none", "medium", "510115001002", 14, today),
        Entry("tekun", "high", "510115002000", 7, today - timedelta(days=1)),
        Entry("other_special", "medium", None, 20, today - timedelta(days=1)),
        Entry("other_special", "medium", "510115001001", 25, today - timedelta(days=400)),
    ]


async def test_sql_and_python_agree_near_every_threshold() -> None:
    from app.db.session import session_scope

    today = local_today()
    created = now() - timedelta(days=500)
    entries = _entries(today)
    households = []
    schedules = []
    number = itertools.count(1)
    for region, category, risk in itertools.product(REGIONS, CATEGORIES, RISKS):
        cycle = cycle_for(entries, category, risk, region, today)
        for shift, pulled in itertools.product((None, -1, 0, 1), (None, -1, 0, 1, 400)):
            hid = next(number)
            households.append(
                {
                    "id": hid,
                    "reference": f"T{hid:06d}",
                    "region_code": region,
                    "category": category,
                    "risk_level": risk,
                    "status": "active",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            last = None if shift is None else today - timedelta(days=cycle + shift)
            pull = None if pulled is None else today + timedelta(days=pulled)
            if last is not None or pull is not None:
                schedules.append(
                    {"household_id": hid, "last_visit_on": last, "pulled_forward_on": pull}
                )
    async with session_scope() as session:
        await session.execute(insert(Household), households)
        await session.execute(insert(VisitSchedule), schedules)
        await session.execute(
            insert(VisitPolicy),
            [
                {
                    "category": e.category,
                    "risk_level": e.risk_level,
                    "region_code": e.region_code,
                    "cycle_days": e.cycle_days,
                    "effective_from": e.effective_from,
                    **region_columns(e.region_code),
                }
                for e in entries
            ],
        )
    async with session_scope() as session:
        # Households without a schedule row get one; every row gets its date.
        assert await recompute(session, today=today) == len(households)
        assert await recompute(session, today=today) == 0  # nothing left to change
        rows = (
            await session.execute(select(VisitSchedule.household_id, VisitSchedule.next_due_on))
        ).all()
    sql = dict(rows)
    by_id = {s["household_id"]: s for s in schedules}
    registered = to_local(created).date()
    python = {
        h["id"]: next_due_on(
            entries,
            category=h["category"],
            risk_level=h["risk_level"],
            region_code=h["region_code"],
            registered_on=registered,
            last_visit_on=by_id.get(h["id"], {}).get("last_visit_on"),
            pulled_forward_on=by_id.get(h["id"], {}).get("pulled_forward_on"),
            today=today,
        )
        for h in households
    }
    assert len(sql) == len(households)
    assert sql == python
    # The thresholds were really met: some due yesterday, today and tomorrow.
    assert {today - timedelta(days=1), today, today + timedelta(days=1)} <= set(sql.values())
    # Each kind of entry decided somewhere: district today, street, community, default.
    assert cycle_for(entries, "dibao", "low", "510115002001", today) == 50
    assert cycle_for(entries, "dibao", "low", "510115001001", today) == 70
    assert cycle_for(entries, "other_special", "medium", "510115001001", today) == 25
    assert cycle_for(entries, "tekun", "high", "510115002001", today) == 7
    assert (
        cycle_for(entries, "tekun", "low", "510115002001", today)
        == DEFAULT_CYCLES[("tekun", "low")]
    )
