"""Benchmark: risk-based visit schedules at 300,000 households.

    .venv/bin/python bench/visits.py [--households 300000] [--requests 400] [--rounds 3]

1. Data: ``app.devtools.generate`` makes the population; about 2,000 community workers are
   assigned ~150 households each, most households have a past visit, some a pulled-forward
   visit or an open warning.
2. Policy change: every (category, risk level) gets a new district-wide cycle, then every
   schedule is recomputed by ``app.schedules.recompute.recompute`` (what ``PUT
   /staff/visit-policy`` runs in its transaction), beside one hand-written ``UPDATE ... FROM``
   doing the same work after the same kind of change, alternated in the same run; prints both,
   the ratio (targets < 5 s and <= 1.5x) and whether they agree; then one real PUT over HTTP.
3. A worker's worklist: ``GET /staff/visits/due?assignee_id=<self>`` through the app over
   httpx's ASGI transport (p50/p95, target p95 < 50 ms); the service call the endpoint makes
   (counts and page) beside the same two statements written by hand, alternated per request;
   prints both p95 and the ratio (target <= 1.5x), and the plan of the page query.

Creates (drops first) its own PostgreSQL database. Missing a target prints BELOW TARGET.
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
    percentile,
    print_plan,
    recreate_database,
    target,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_visits"
PASSWORD = "bench-password-2026"
HOUSEHOLDS_PER_WORKER = 150
TARGET_RECOMPUTE_SECONDS = 5.0
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.5

# The recompute written by hand: the policy resolved once per (category, risk, community) with
# DISTINCT ON over the entries covering it, then one UPDATE ... FROM writing changed rows only.
HAND_WRITTEN_RECOMPUTE = """
WITH keys AS (
    SELECT DISTINCT coalesce(category, 'none') AS category, risk_level, region_code
    FROM households WHERE status = 'active'
), stored AS (
    SELECT DISTINCT ON (k.category, k.risk_level, k.region_code)
           k.category, k.risk_level, k.region_code, p.cycle_days
    FROM keys k
    JOIN visit_policies p ON p.category = k.category AND p.risk_level = k.risk_level
     AND p.effective_from <= :today AND k.region_code BETWEEN p.region_low AND p.region_high
    ORDER BY k.category, k.risk_level, k.region_code, p.depth DESC, p.effective_from DESC
), cycles AS (
    SELECT k.category, k.risk_level, k.region_code,
           coalesce(s.cycle_days, d.cycle_days, 30) AS cycle_days
    FROM keys k
    LEFT JOIN stored s USING (category, risk_level, region_code)
    LEFT JOIN (VALUES {defaults}) AS d (category, risk_level, cycle_days)
      ON d.category = k.category AND d.risk_level = k.risk_level
)
UPDATE visit_schedules s
SET next_due_on = LEAST(coalesce(s.last_visit_on,
                                 (h.created_at AT TIME ZONE 'Asia/Shanghai')::date)
                        + c.cycle_days, s.pulled_forward_on)
FROM households h
JOIN cycles c ON c.category = coalesce(h.category, 'none') AND c.risk_level = h.risk_level
             AND c.region_code = h.region_code
WHERE s.household_id = h.id AND h.status = 'active'
  AND s.next_due_on IS DISTINCT FROM LEAST(coalesce(s.last_visit_on,
        (h.created_at AT TIME ZONE 'Asia/Shanghai')::date) + c.cycle_days, s.pulled_forward_on)
"""

WHERE_WORKER = """
FROM visit_schedules s JOIN households h ON h.id = s.household_id
WHERE s.assignee_id = :worker AND s.next_due_on <= :until AND h.status = 'active'
  AND h.region_code BETWEEN :low AND :high
"""
HAND_WRITTEN_COUNTS = (
    "SELECT count(*), count(*) FILTER (WHERE s.next_due_on < :today), "
    "count(*) FILTER (WHERE s.next_due_on = :today), "
    "count(*) FILTER (WHERE s.assignee_id IS NULL)" + WHERE_WORKER
)
HAND_WRITTEN_PAGE = (
    """
SELECT h.id, h.reference, h.region_code, h.category, h.risk_level, s.last_visit_at,
       s.next_due_on, s.assignee_id,
       (SELECT count(*) FROM warnings w WHERE w.household_id = h.id
          AND w.status IN ('open', 'dispatched', 'verified')) AS open_warnings,
       CASE h.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS risk_rank
"""
    + WHERE_WORKER
    + " ORDER BY s.next_due_on, risk_rank, open_warnings DESC, h.id LIMIT :limit"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--requests", type=int, default=400, help="worklist requests")
    parser.add_argument("--rounds", type=int, default=3, help="recompute rounds, alternated")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    return parser.parse_args()


def people_for(households: int) -> int:
    """People making about ``households`` households, from the generator's own plan."""
    from app.devtools.plan import plan_households

    sample = plan_households(200_000, random.Random(1))
    return round(households * 200_000 / len(sample))


async def generation(households: int, workers: int | None) -> int:
    from sqlalchemy import func, select

    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import generate
    from app.models.household import Household
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    print(f"\n== data: about {households:,} households ==", flush=True)
    started = time.perf_counter()
    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
    async with session_scope() as session:
        result = await generate(session, people_for(households), root=DISTRICT, workers=workers)
    async with session_scope() as session:
        count = int(await session.scalar(select(func.count()).select_from(Household)) or 0)
    print(
        f"{result.people:,} people in {count:,} households, "
        f"generated in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return count


async def schedules() -> None:
    """Workers, assignments, past visits, pulls and open warnings, set-based."""
    from sqlalchemy import insert, text

    from app.accounts.security import hash_password
    from app.db.session import get_engine, session_scope
    from app.models.account import Staff
    from app.schedules.recompute import recompute

    started = time.perf_counter()
    async with session_scope() as session:
        per_community = (
            await session.execute(
                text("SELECT region_code, count(*) FROM households GROUP BY region_code")
            )
        ).all()
        password_hash = hash_password(PASSWORD)
        rows = []
        for region_code, count in per_community:
            for slot in range(max(1, -(-count // HOUSEHOLDS_PER_WORKER))):
                rows.append(
                    {
                        "username": f"w{region_code}-{slot}",
                        "password_hash": password_hash,
                        "role": "community_worker",
                        "region_code": region_code,
                        "display_name": f"工作人员{slot}",
                    }
                )
        await session.execute(insert(Staff), rows)
        await recompute(session)  # every household gets its schedule row
        await session.execute(
            text("""
            WITH w AS (
                SELECT id, region_code,
                       row_number() OVER (PARTITION BY region_code ORDER BY id) - 1 AS slot,
                       count(*) OVER (PARTITION BY region_code) AS slots
                FROM staff WHERE role = 'community_worker'
            ), h AS (
                SELECT id, region_code,
                       row_number() OVER (PARTITION BY region_code ORDER BY id) AS n
                FROM households
            )
            UPDATE visit_schedules s SET assignee_id = w.id, assigned_at = now()
            FROM h JOIN w ON w.region_code = h.region_code AND w.slot = h.n % w.slots
            WHERE s.household_id = h.id AND random() < 0.97
            """)
        )
        await session.execute(
            text("""
            UPDATE visit_schedules SET
                last_visit_at = now() - random() * interval '200 days',
                pulled_forward_on = CASE WHEN random() < 0.02
                    THEN current_date + (random() * 14)::int END
            WHERE random() < 0.85
            """)
        )
        await session.execute(
            text("UPDATE visit_schedules SET last_visit_on = "
                 "(last_visit_at AT TIME ZONE 'Asia/Shanghai')::date "
                 "WHERE last_visit_at IS NOT NULL")
        )  # fmt: skip
        await session.execute(
            text("""
            INSERT INTO warnings (rule_code, rule_class, level, status, subject_key, household_id,
                                  person_name, region_code, summary, evidence, resolution,
                                  opened_at)
            SELECT 'visit_concern', 'need', 'yellow', 'open', 'h:' || id, id, '', region_code,
                   '', '[]', '{}', now()
            FROM households WHERE random() < 0.01
            """)
        )
        changed = await recompute(session)
    async with get_engine().connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("staff", "visit_schedules", "warnings", "households"):
            await conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    print(
        f"{len(rows):,} workers, schedules set ({changed:,} due dates after the visits) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


async def set_policy(session: Any, shift: int, today: date) -> None:
    """A policy change moving every household: each default cycle plus ``shift`` days, from
    today, district-wide (what a PUT stores)."""
    from sqlalchemy import delete, insert

    from app.models.visit import VisitPolicy
    from app.schedules.policy import DEFAULT_CYCLES, region_columns

    await session.execute(delete(VisitPolicy))
    await session.execute(
        insert(VisitPolicy),
        [
            {
                "category": category,
                "risk_level": risk,
                "region_code": None,
                "cycle_days": days + shift,
                "effective_from": today,
                **region_columns(None),
            }
            for (category, risk), days in DEFAULT_CYCLES.items()
        ],
    )


async def recompute_bench(rounds: int) -> None:
    from sqlalchemy import text

    from app.db.session import session_scope
    from app.kit.timeutil import local_today
    from app.schedules.policy import DEFAULT_CYCLES, FALLBACK_CYCLE
    from app.schedules.recompute import recompute

    print("\n== recompute every schedule after a policy change ==", flush=True)
    assert FALLBACK_CYCLE == 30  # the hand-written statement's fallback
    defaults = ", ".join(f"('{c}', '{r}', {d})" for (c, r), d in DEFAULT_CYCLES.items())
    hand_sql = text(HAND_WRITTEN_RECOMPUTE.format(defaults=defaults))
    today = local_today()
    shift = 0
    service_times: list[float] = []
    hand_times: list[float] = []
    changed: dict[str, list[int]] = {"service": [], "hand": []}
    for _ in range(rounds):
        for kind in ("service", "hand"):
            shift += 7
            async with session_scope() as session:
                await set_policy(session, shift, today)
                await session.flush()
                started = time.perf_counter()
                if kind == "service":
                    rows = await recompute(session, today=today)
                else:
                    await session.execute(text("SET LOCAL jit = off"))
                    result = await session.execute(hand_sql, {"today": today})
                    rows = int(getattr(result, "rowcount", 0) or 0)
                seconds = time.perf_counter() - started
            (service_times if kind == "service" else hand_times).append(seconds)
            changed[kind].append(rows)
    # Agreement: after the hand-written statement, the service finds nothing left to change.
    async with session_scope() as session:
        leftover = await recompute(session, today=today)
    service_median = statistics.median(service_times)
    hand_median = statistics.median(hand_times)
    ratio = service_median / hand_median
    print(f"rows changed per round: service {changed['service']}, hand {changed['hand']}")
    print(
        f"service (app.schedules.recompute): median {service_median:.2f} s "
        f"(min {min(service_times):.2f})  [{target(service_median < TARGET_RECOMPUTE_SECONDS)}]"
    )
    print(f"hand-written UPDATE ... FROM:      median {hand_median:.2f} s "
          f"(min {min(hand_times):.2f})")  # fmt: skip
    print(f"ratio: {ratio:.2f}x  [{target(ratio <= TARGET_RATIO)}]")
    print(f"agreement: the service recompute after the hand-written one changed {leftover} rows")


async def login(client: Any, username: str) -> dict[str, str]:
    response = await client.post(
        "/auth/staff/login", json={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def worklist_bench(requests: int) -> None:
    import httpx
    from sqlalchemy import select, text

    from app.db.session import session_scope
    from app.kit.actor import Actor
    from app.kit.timeutil import local_today
    from app.logging import configure_logging
    from app.main import create_app
    from app.models.account import Staff
    from app.regions.jurisdiction import subtree_bounds
    from app.visits import service, worklist_sql
    from app.visits.worklist_sql import DueFilter

    print(f"\n== a worker's worklist: {requests} requests ==", flush=True)
    rng = random.Random(9)
    async with session_scope() as session:
        workers = (
            await session.execute(
                select(Staff.id, Staff.username, Staff.region_code).where(
                    Staff.role == "community_worker"
                )
            )
        ).all()
    sample = rng.sample(workers, min(40, len(workers)))
    configure_logging("WARNING")
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    today = local_today()
    until = today + timedelta(days=30)
    http_ms: list[float] = []
    service_ms: list[float] = []
    hand_ms: list[float] = []
    agree = True
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
        tokens = {w.id: await login(client, w.username) for w in sample}

        async def by_service(w: Any) -> list[int]:
            actor = Actor("staff", w.id, "community_worker", w.region_code)
            async with session_scope() as session:
                _counts, rows, _today = await service.worklist(
                    session,
                    actor,
                    DueFilter(assignee_id=w.id),
                    until=None,
                    overdue_only=False,
                    after=None,
                    limit=21,
                )
            return [r.household_id for r in rows]

        async def by_hand(w: Any) -> list[int]:
            low, high = subtree_bounds(w.region_code)
            params = {
                "worker": w.id,
                "until": until,
                "today": today,
                "low": low,
                "high": high,
                "limit": 21,
            }
            async with session_scope() as session:
                (await session.execute(text(HAND_WRITTEN_COUNTS), params)).one()
                rows = (await session.execute(text(HAND_WRITTEN_PAGE), params)).all()
            return [r.id for r in rows]

        for w in sample[:5]:  # warm caches and statement compilation
            await client.get(
                "/staff/visits/due", params={"assignee_id": w.id}, headers=tokens[w.id]
            )
            await by_service(w)
            await by_hand(w)
        for _ in range(requests):
            w = rng.choice(sample)
            started = time.perf_counter()
            response = await client.get(
                "/staff/visits/due", params={"assignee_id": w.id}, headers=tokens[w.id]
            )
            http_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            started = time.perf_counter()
            mine = await by_service(w)
            service_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            theirs = await by_hand(w)
            hand_ms.append((time.perf_counter() - started) * 1000)
            agree = agree and mine == theirs
        page = response.json()
    http_p95 = percentile(http_ms, 0.95)
    service_p95 = percentile(service_ms, 0.95)
    hand_p95 = percentile(hand_ms, 0.95)
    print(f"last page: {len(page['items'])} items, counts {page['counts']}")
    print(
        f"GET /staff/visits/due (HTTP, auth, JSON): p50 {percentile(http_ms, 0.5):.1f} ms, "
        f"p95 {http_p95:.1f} ms  [{target(http_p95 < TARGET_P95_MS)}]"
    )
    print(f"service (counts + page):  p50 {percentile(service_ms, 0.5):.1f} ms, "
          f"p95 {service_p95:.1f} ms")  # fmt: skip
    print(f"hand-written SQL (same):  p50 {percentile(hand_ms, 0.5):.1f} ms, "
          f"p95 {hand_p95:.1f} ms  (same rows: {agree})")  # fmt: skip
    ratio = service_p95 / hand_p95
    print(f"ratio service/hand p95: {ratio:.2f}x  [{target(ratio <= TARGET_RATIO)}]")
    print(f"ratio HTTP/hand p95:    {http_p95 / hand_p95:.2f}x (includes auth and JSON)")
    w = sample[0]
    actor = Actor("staff", w.id, "community_worker", w.region_code)
    stmt, params = worklist_sql.worklist_query(
        actor, DueFilter(assignee_id=w.id), today=today, until=until
    )
    async with session_scope() as session:
        await print_plan(session, stmt.params(**params), "worklist page (repository statement)")


async def put_policy_once() -> None:
    import httpx

    from app.accounts.service import create_staff
    from app.db.session import session_scope
    from app.kit.timeutil import local_today
    from app.logging import configure_logging
    from app.main import create_app
    from app.schedules.policy import DEFAULT_CYCLES

    async with session_scope() as session:
        await create_staff(
            session,
            username="bench_officer",
            password=PASSWORD,
            role="district_officer",
            region_code=DISTRICT,
        )
    configure_logging("WARNING")
    transport = httpx.ASGITransport(app=create_app(), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
        headers = await login(client, "bench_officer")
        body = [
            {
                "category": c,
                "risk_level": r,
                "cycle_days": d + 3,
                "effective_from": local_today().isoformat(),
            }
            for (c, r), d in DEFAULT_CYCLES.items()
        ]
        started = time.perf_counter()
        response = await client.put("/staff/visit-policy", json=body, headers=headers)
        seconds = time.perf_counter() - started
    response.raise_for_status()
    print(
        f"PUT /staff/visit-policy over HTTP (every due date recomputed in its transaction): "
        f"{seconds:.2f} s  [{target(seconds < TARGET_RECOMPUTE_SECONDS)}]",
        flush=True,
    )


async def run(args: argparse.Namespace) -> None:
    from app.db.session import dispose_engine

    try:
        await generation(args.households, args.workers)
        await schedules()
        await recompute_bench(args.rounds)
        await put_policy_once()
        await worklist_bench(args.requests)
    finally:
        await dispose_engine()


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-visits-"))
    os.environ["JIUZHU_SECRET_KEY"] = SECRET_KEY
    os.environ["JIUZHU_DATA_KEY"] = DATA_KEY
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"
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
