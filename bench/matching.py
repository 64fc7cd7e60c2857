"""Benchmark: supply-demand matching for 10,000 households against 500 projects (PostgreSQL).

    .venv/bin/python bench/matching.py [--households 10000] [--projects 500] [--rounds 3]

1. Data: ``app.devtools.generate`` makes the population (about ``--households`` households);
   500 projects of 50 organizations with random service types, target categories and groups,
   areas (the district, a street or a community), capacities, places in use and periods; one to
   three open needs per household; member groups and key targets on about 40% of households.
2. Matching: the service's set-based call (``app.assistance.matching.service.matches_for``: one
   statement for every household, then the reasons in words) and the statement alone, beside a
   hand-written SQL doing the same ranking, alternated for ``--rounds`` rounds in the same run;
   prints the medians, the ratios (target <= 1.5x) and whether the three agree row for row.

Creates (drops first) its own PostgreSQL database and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.registry import (  # noqa: E402 - after the path fix above
    DATA_KEY,
    DISTRICT,
    SECRET_KEY,
    recreate_database,
    target,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_matching"
TARGET_RATIO = 1.5
PER_NEED = 5
ON = date(2026, 12, 1)

# Written by hand with the same plan in mind: live projects spread over their service bits,
# each household over the ancestors of its community (one per level, with the distance), and
# the two hash-joined on (region, bit); then the same score and ranking.
HAND_WRITTEN = """
WITH live AS (
    SELECT p.id, p.name, p.region_code, p.category_mask, p.group_mask, p.capacity,
           p.capacity - p.in_use AS remaining, b.bit
    FROM assistance_projects p
    JOIN (SELECT 1 << k AS bit FROM generate_series(0, 9) AS k) b ON p.service_mask & b.bit <> 0
    WHERE p.in_use < p.capacity AND p.starts_on <= :on AND (p.ends_on IS NULL OR p.ends_on >= :on)
), areas AS (
    SELECT h.id, h.category, a.ancestor, a.distance
    FROM households h
    CROSS JOIN LATERAL (VALUES (h.region_code, 0),
                               (substr(h.region_code, 1, 9) || '000', 1),
                               (substr(h.region_code, 1, 6) || '000000', 2))
                         AS a (ancestor, distance)
    WHERE h.id = ANY(:ids) AND h.status = 'active' AND h.region_code BETWEEN :low AND :high
      AND substr(h.region_code, 10, 3) <> '000'
), scored AS (
    SELECT n.id AS need_id, n.household_id, n.service_type, p.id AS project_id,
           p.name AS project_name, a.distance, a.category, p.category_mask,
           p.group_mask & coalesce(pr.group_mask, 0) AS group_hit,
           coalesce(pr.key_target, false) AS key_target, p.remaining, p.capacity,
           CASE n.urgency WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END
               AS urgency_rank,
           35
           + 20 - 5 * a.distance
           + CASE WHEN p.category_mask = 0 THEN 5
                  WHEN p.category_mask & (CASE a.category WHEN 'dibao' THEN 1 WHEN 'tekun' THEN 2
                       WHEN 'dibao_edge' THEN 4 WHEN 'expenditure_hardship' THEN 8
                       WHEN 'other_special' THEN 16 ELSE 0 END) <> 0 THEN 15 ELSE 0 END
           + CASE WHEN p.group_mask & coalesce(pr.group_mask, 0) <> 0 THEN 15 ELSE 0 END
           + CASE WHEN coalesce(pr.key_target, false) THEN 5 ELSE 0 END
           + p.remaining * 10 / p.capacity AS score
    FROM assistance_needs n
    JOIN areas a ON a.id = n.household_id
    JOIN live p ON p.region_code = a.ancestor AND p.bit = n.service_bit
    LEFT JOIN assistance_profiles pr ON pr.household_id = n.household_id
    WHERE n.status = 'open'
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY need_id ORDER BY score DESC, project_id) AS rn
    FROM scored
)
SELECT need_id, household_id, service_type, urgency_rank, project_id, project_name, score,
       distance, category, category_mask, group_hit, key_target, remaining, capacity
FROM ranked WHERE rn <= :per_need
ORDER BY household_id, score DESC, urgency_rank, need_id, project_id
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--explain", action="store_true", help="print both plans")
    parser.add_argument("--reuse", action="store_true", help="data kept by --keep-database")
    return parser.parse_args()


async def population(households: int) -> list[int]:
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import generate
    from app.models.household import Household
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv
    from bench.visits import people_for

    started = time.perf_counter()
    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
    async with session_scope() as session:
        await generate(session, people_for(households), root=DISTRICT, workers=1)
    async with session_scope() as session:
        ids = list(
            await session.scalars(
                select(Household.id)
                .where(Household.status == "active")
                .order_by(Household.id)
                .limit(households)
            )
        )
    print(f"{len(ids):,} households generated in {time.perf_counter() - started:.1f} s")
    return ids


async def assistance_data(ids: list[int], projects: int) -> None:
    """Organizations, projects, needs and profiles, with a fixed seed."""
    from sqlalchemy import insert, select, text

    from app.assistance.service import region_depth
    from app.assistance.vocabulary import GROUP_ORDER, SERVICE_ORDER, URGENCIES
    from app.db.session import get_engine, session_scope
    from app.models.assistance import HouseholdProfile, Need, Organization, Project
    from app.models.region import Region
    from app.regions.jurisdiction import subtree_bounds

    rng = random.Random(20261207)
    started = time.perf_counter()
    async with session_scope() as session:
        regions = list(
            await session.scalars(select(Region.code).where(Region.code.like("510115%")))
        )
        streets = [c for c in regions if c.endswith("000") and c != DISTRICT]
        communities = [c for c in regions if not c.endswith("000")]
        orgs = [
            Organization(name=f"服务组织{i}", kind="social_organization", region_code=DISTRICT)
            for i in range(50)
        ]
        session.add_all(orgs)
        await session.flush()
        rows = []
        for index in range(projects):
            region = rng.choices(
                [DISTRICT, rng.choice(streets), rng.choice(communities)], [2, 5, 3]
            )[0]
            low, high = subtree_bounds(region)
            capacity = rng.randint(5, 200)
            in_use = capacity if rng.random() < 0.08 else rng.randint(0, capacity - 1)
            starts = ON - timedelta(days=rng.randint(-30, 400))
            ends = rng.choice([None, ON + timedelta(days=rng.randint(-60, 400))])
            rows.append(
                {
                    "organization_id": orgs[index % len(orgs)].id,
                    "name": f"项目{index}",
                    "description": "",
                    "service_mask": sum(1 << i for i in rng.sample(range(10), rng.randint(1, 3))),
                    "category_mask": sum(
                        1 << i for i in rng.sample(range(5), rng.choice([0, 0, 1, 2]))
                    ),
                    "group_mask": sum(1 << i for i in rng.sample(range(10), rng.choice([0, 1, 2]))),
                    "region_code": region,
                    "region_low": low,
                    "region_high": high,
                    "region_depth": region_depth(region),
                    "capacity": capacity,
                    "in_use": in_use,
                    "starts_on": starts,
                    "ends_on": ends if ends is None or ends >= starts else None,
                    "contact_name": "",
                    "contact_phone": "",
                    "version": 1,
                }
            )
        await session.execute(insert(Project), rows)
        regions_of = dict(
            (await session.execute(text("SELECT id, region_code FROM households"))).all()
        )
        needs = []
        profiles = []
        for household_id in ids:
            for _ in range(rng.choice([1, 1, 2, 3])):
                k = rng.randrange(len(SERVICE_ORDER))
                needs.append(
                    {
                        "household_id": household_id,
                        "region_code": regions_of[household_id],
                        "service_type": SERVICE_ORDER[k].value,
                        "service_bit": 1 << k,
                        "urgency": rng.choice(URGENCIES),
                        "source": "assessment",
                        "status": "open",
                        "closed_reason": "",
                    }
                )
            if rng.random() < 0.4:
                profiles.append(
                    {
                        "household_id": household_id,
                        "group_mask": sum(
                            1 << i for i in rng.sample(range(len(GROUP_ORDER)), rng.randint(1, 2))
                        ),
                        "key_target": rng.random() < 0.25,
                        "key_reason": "",
                    }
                )
        await session.execute(insert(Need), needs)
        await session.execute(insert(HouseholdProfile), profiles)
    async with get_engine().connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in (
            "assistance_projects",
            "assistance_needs",
            "assistance_profiles",
            "households",
        ):
            await conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    print(
        f"{projects} projects, {len(needs):,} open needs, {len(profiles):,} households in groups "
        f"made in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


async def matching(ids: list[int], rounds: int, explain: bool) -> None:
    from sqlalchemy import bindparam, text
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import BigInteger

    from app.assistance.matching import repository
    from app.assistance.matching.service import matches_for
    from app.db.session import session_scope
    from app.kit.actor import Actor
    from app.regions.jurisdiction import subtree_bounds

    print(f"\n== matches for {len(ids):,} households, best {PER_NEED} per need ==", flush=True)
    actor = Actor("staff", 1, "district_officer", DISTRICT)
    low, high = subtree_bounds(DISTRICT)
    hand = text(HAND_WRITTEN).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
    times: dict[str, list[float]] = {"service": [], "statement": [], "hand": []}
    results: dict[str, set[tuple[int, int, int]]] = {}

    async def service_call() -> set[tuple[int, int, int]]:
        async with session_scope() as session:
            found = await matches_for(session, actor, ids, on=ON, per_need=PER_NEED)
        return {(m.need_id, m.project_id, m.score) for ms in found.values() for m in ms}

    async def statement_call() -> set[tuple[int, int, int]]:
        async with session_scope() as session:
            rows = await repository.matches(session, actor, ids, on=ON, per_need=PER_NEED)
        return {(r.need_id, r.project_id, int(r.score)) for r in rows}

    async def hand_call() -> set[tuple[int, int, int]]:
        async with session_scope() as session:
            params = {"ids": ids, "on": ON, "per_need": PER_NEED, "low": low, "high": high}
            rows = (await session.execute(hand, params)).all()
        return {(r.need_id, r.project_id, int(r.score)) for r in rows}

    calls = {"service": service_call, "statement": statement_call, "hand": hand_call}
    for name, call in calls.items():  # warm caches and statement compilation
        results[name] = await call()
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            results[name] = await call()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = len(results["hand"])
    print(f"matches: {rows:,} (need, project) pairs")
    print(f"service (matches_for, SQL + reasons in words): median {medians['service']:.3f} s "
          f"(min {min(times['service']):.3f})")  # fmt: skip
    print(f"service statement alone (matching/repository.py): median {medians['statement']:.3f} s "
          f"(min {min(times['statement']):.3f})")  # fmt: skip
    print(f"hand-written SQL:                                  median {medians['hand']:.3f} s "
          f"(min {min(times['hand']):.3f})")  # fmt: skip
    ratio = medians["service"] / medians["hand"]
    statement_ratio = medians["statement"] / medians["hand"]
    print(f"ratio service / hand-written: {ratio:.2f}x  [{target(ratio <= TARGET_RATIO)}]")
    print(f"ratio statement / hand-written: {statement_ratio:.2f}x  "
          f"[{target(statement_ratio <= TARGET_RATIO)}]")  # fmt: skip
    agree = results["service"] == results["statement"] == results["hand"]
    print(f"agreement (need, project, score) row for row: {'yes' if agree else 'NO'}")
    if explain:
        await plans(ids, hand, {"on": ON, "per_need": PER_NEED, "low": low, "high": high})


async def explain(session: Any, stmt: Any, title: str) -> None:
    """EXPLAIN ANALYZE of a statement with its parameters bound as the driver gets them."""
    connection = await session.connection()
    compiled = stmt.compile(dialect=connection.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    result = await connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, COSTS OFF) " + str(compiled), params
    )
    print(f"  -- plan: {title}")
    for (line,) in result.all():
        print("     " + line)


async def plans(ids: list[int], hand: Any, params: dict[str, Any]) -> None:
    from app.assistance.matching import repository
    from app.db.session import session_scope
    from app.kit.actor import Actor

    actor = Actor("staff", 1, "district_officer", DISTRICT)
    async with session_scope() as session:
        where = repository._ids_clause("postgresql", ids)
        stmt = repository.match_statement(actor, where, on=ON, per_need=PER_NEED)
        await explain(session, stmt, "service")
        await explain(session, hand.bindparams(**params, ids=ids), "hand-written")


async def run(args: argparse.Namespace) -> None:
    from app.db.session import dispose_engine

    print(f"\n== data: about {args.households:,} households ==", flush=True)
    if args.reuse:
        from sqlalchemy import select

        from app.db.session import session_scope
        from app.models.assistance import Need

        async with session_scope() as session:
            ids = sorted(set(await session.scalars(select(Need.household_id))))
    else:
        ids = await population(args.households)
        await assistance_data(ids, args.projects)
    await matching(ids, args.rounds, args.explain)
    await dispose_engine()


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-matching-"))
    os.environ["JIUZHU_SECRET_KEY"] = SECRET_KEY
    os.environ["JIUZHU_DATA_KEY"] = DATA_KEY
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"
    if not args.reuse:
        asyncio.run(recreate_database(args.database_url))
    from app.db.migrate import upgrade

    upgrade()
    try:
        asyncio.run(run(args))
    finally:
        if not args.keep_database:
            asyncio.run(recreate_database(args.database_url, drop_only=True))


if __name__ == "__main__":
    main()
