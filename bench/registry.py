"""Benchmark: the monitoring registry at a million people.

    .venv/bin/python bench/registry.py [--people 1000000] [--requests 200] [--workers N]

1. Generation: ``app.devtools.generate`` makes the population (COPY, process pool); prints
   people per second (target >= 50,000).
2. Mismatch worklist for the whole district, through the service and repository code the
   endpoint uses, beside one hand-written SQL query making the same selection, in the same
   process and connection settings; prints both and the ratio (targets < 10 s and <= 1.5x).
3. Household search: ``GET /staff/households`` with each filter, through the app over httpx's
   ASGI transport, ``--requests`` per filter; prints p50/p95 (target p95 < 50 ms) and the
   EXPLAIN (ANALYZE) plan of each filter's query.

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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ itself is first on the path; the repository root must be instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_registry"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
DATA_KEY = "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y="
DISTRICT = "510115000000"
PASSWORD = "bench-password-2026"
TARGET_RATE = 50_000
TARGET_WORKLIST_SECONDS = 10.0
TARGET_RATIO = 1.5
TARGET_P95_MS = 50.0

# The same selection as the worklist repository, written by hand: standards in force per region
# with DISTINCT ON, the rules in integer cents, the members looked up behind the same guards.
HAND_WRITTEN_WORKLIST = """
WITH in_force AS (
    SELECT DISTINCT ON (r.code, s.kind) r.code, s.kind, s.value
    FROM regions r
    JOIN standards s ON s.region_code IN (
        r.code,
        substr(r.code, 1, 9) || '000',
        substr(r.code, 1, 6) || '000000',
        substr(r.code, 1, 4) || '00000000',
        substr(r.code, 1, 2) || '0000000000')
    WHERE r.code BETWEEN :low AND :high
      AND s.kind IN ('dibao', 'edge_multiplier')
      AND s.effective_from <= :on
    ORDER BY r.code, s.kind, s.region_code DESC, s.effective_from DESC
), line AS (
    SELECT code,
           round(max(value) FILTER (WHERE kind = 'dibao') * 100)::bigint AS s,
           coalesce(round(max(value) FILTER (WHERE kind = 'edge_multiplier') * 10000)::bigint,
                    15000) AS m
    FROM in_force
    GROUP BY code
), flagged AS (
    SELECT h.id, h.reference, h.region_code, h.address, h.category, h.category_since,
           h.risk_level, h.causes, h.members_count, h.monthly_income_total,
           h.medical_spending, h.education_spending, h.head_name, h.head_id_masked,
           h.status, h.version, h.updated_at, l.s,
           (l.s * l.m + 5000) / 10000 AS e,
           h.members_count > 0
             AND 2 * round(h.monthly_income_total * 100) < (2 * l.s - 1) * h.members_count
             AS q_income,
           h.has_severe_member AND (
             SELECT count(*) FROM household_members m
             WHERE m.household_id = h.id AND m.removed_at IS NULL
               AND (m.disability_grade IN (1, 2) OR m.severe_illness)
               AND round(m.monthly_income * 100) < l.s) > 0 AS q_other,
           h.members_count > 0
             AND 2 * (round(h.monthly_income_total * 100) - round(h.medical_spending * 100)
                      - round(h.education_spending * 100)) < (2 * l.s - 1) * h.members_count
             AS q_after,
           h.members_count > 0
             AND 2 * round(h.monthly_income_total * 100)
                 < (2 * ((l.s * l.m + 5000) / 10000) - 1) * h.members_count AS q_under_edge,
           h.members_count > 0 AND round(h.monthly_income_total * 100) = 0 AND (
             SELECT count(*) FROM household_members m
             WHERE m.household_id = h.id AND m.removed_at IS NULL
               AND NOT (m.work_capacity = 'none' AND round(m.monthly_income * 100) = 0
                        AND (m.birth_date <= :born_60 OR m.birth_date > :born_16
                             OR m.disability_grade IN (1, 2)))) = 0 AS q_tekun
    FROM households h
    JOIN line l ON l.code = h.region_code
    WHERE h.status = 'active' AND h.region_code BETWEEN :low AND :high AND l.s IS NOT NULL
), judged AS (
    SELECT *,
           q_income OR q_other AS q_dibao,
           NOT q_income AND q_after AS q_exp,
           NOT q_income AND q_under_edge AS q_edge
    FROM flagged
)
SELECT *,
       CASE WHEN q_tekun THEN 'tekun' WHEN q_dibao THEN 'dibao'
            WHEN q_exp THEN 'expenditure_hardship' WHEN q_edge THEN 'dibao_edge'
            ELSE 'exit' END AS suggested
FROM judged
WHERE (category IS NULL AND (q_tekun OR q_dibao OR q_exp OR q_edge))
   OR (category = 'dibao' AND NOT q_dibao)
   OR (category = 'tekun' AND NOT q_tekun)
   OR (category = 'dibao_edge' AND NOT q_edge)
   OR (category = 'expenditure_hardship' AND NOT q_exp)
   OR (category = 'other_special' AND NOT q_other)
ORDER BY id DESC
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--requests", type=int, default=200, help="search requests per filter")
    parser.add_argument("--rounds", type=int, default=5, help="worklist rounds, alternated")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--quiet-plans", action="store_true", help="do not print EXPLAIN plans")
    return parser.parse_args()


def target(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def prepare() -> dict[str, int]:
    from app.accounts.service import create_staff
    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
        ids = {}
        for username, role, region in (
            ("bench_district", "district_officer", DISTRICT),
            ("bench_street", "street_officer", "510115001000"),
        ):
            staff = await create_staff(
                session, username=username, password=PASSWORD, role=role, region_code=region
            )
            ids[username] = staff.id
    return ids


def process_cpu(pids: set[int]) -> float:
    """User plus system CPU seconds of these processes so far (Linux /proc; 0 if gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


async def database_backends() -> set[int]:
    from sqlalchemy import text

    from app.db.session import session_scope

    async with session_scope() as session:
        rows = await session.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        )
        return set(rows)


async def generation(people: int, workers: int | None) -> None:
    from sqlalchemy import text

    from app.db.session import get_engine, session_scope
    from app.devtools.generate import generate

    print(f"\n== generation: {people:,} people ==", flush=True)
    backends = await database_backends()
    cpu_before = os.times()
    pg_before = process_cpu(backends)
    started = time.perf_counter()
    async with session_scope() as session:
        result = await generate(session, people, root=DISTRICT, workers=workers)
    seconds = time.perf_counter() - started
    cpu_after = os.times()
    backends |= await database_backends()
    pg_cpu = process_cpu(backends) - pg_before
    python_cpu = sum(cpu_after[:4]) - sum(cpu_before[:4])  # this process and its workers
    rate = result.people / seconds
    print(
        f"{result.people:,} people in {result.households:,} households "
        f"({result.changes:,} enrolments, {result.mismatched:,} made out of step)"
    )
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
    print(f"  steps (cumulative where marked by phase): {steps}")
    print(f"generation: {seconds:.2f} s, {rate:,.0f} people/s  [{target(rate >= TARGET_RATE)}]")
    # The machine may be shared: the CPU the work itself took, and the rate it implies on
    # otherwise idle cores (PostgreSQL's parallel index-build workers are not counted).
    per_person = (python_cpu + pg_cpu) / result.people * 1e6
    cores = os.cpu_count() or 1
    print(
        f"  CPU: {per_person:.1f} us per person (Python {python_cpu:.1f} s, PostgreSQL backend "
        f"{pg_cpu:.1f} s); on {cores} idle cores that is about "
        f"{cores * 1e6 / per_person:,.0f} people/s; load average now {os.getloadavg()[0]:.1f}"
    )
    # What autovacuum would do shortly after a bulk load; not counted in the rate.
    mark = time.perf_counter()
    async with get_engine().connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("households", "household_members", "category_changes"):
            await conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    print(f"  (vacuum analyze afterwards: {time.perf_counter() - mark:.2f} s)", flush=True)


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = await work()
    return time.perf_counter() - started, value


async def worklist(district_id: int, rounds: int, show_plan: bool) -> None:
    from sqlalchemy import text

    from app.db.session import session_scope
    from app.households.eligibility.repository import mismatch_statement, years_before
    from app.households.eligibility.service import mismatches
    from app.kit.actor import Actor
    from app.kit.timeutil import local_today
    from app.regions.jurisdiction import subtree_bounds

    print("\n== mismatch worklist, whole district ==", flush=True)
    actor = Actor("staff", district_id, "district_officer", DISTRICT)
    on = local_today()
    low, high = subtree_bounds(DISTRICT)
    params = {
        "low": low,
        "high": high,
        "on": on,
        "born_60": years_before(on, 60),
        "born_16": years_before(on, 16),
    }

    async def service() -> list[tuple[int, str]]:
        async with session_scope() as session:
            page = await mismatches(session, actor, on=on)
        return [(item.id, item.suggested.value) for item in page.items]

    async def by_hand() -> list[tuple[int, str]]:
        async with session_scope() as session:
            # The same session setting the repository makes (JIT would cost more than the query).
            await session.execute(text("SET LOCAL jit = off"))
            rows = (await session.execute(text(HAND_WRITTEN_WORKLIST), params)).all()
        return [(row.id, row.suggested) for row in rows]

    await service()  # warm the caches and the statement compilation once
    await by_hand()
    service_times, hand_times = [], []
    found_service: list[tuple[int, str]] = []
    found_hand: list[tuple[int, str]] = []
    for _ in range(rounds):
        seconds, found_service = await timed(service)
        service_times.append(seconds)
        seconds, found_hand = await timed(by_hand)
        hand_times.append(seconds)
    same = found_service == found_hand
    service_median = statistics.median(service_times)
    hand_median = statistics.median(hand_times)
    ratio = service_median / hand_median
    print(f"mismatches found: {len(found_service):,} (hand-written query agrees: {same})")
    print(
        f"service + repository (all items, with reasons): median {service_median:.3f} s "
        f"(min {min(service_times):.3f})  [{target(service_median < TARGET_WORKLIST_SECONDS)}]"
    )
    print(f"hand-written SQL (rows only):                 median {hand_median:.3f} s "
          f"(min {min(hand_times):.3f})")  # fmt: skip
    print(f"ratio: {ratio:.2f}x  [{target(ratio <= TARGET_RATIO)}]", flush=True)
    by_suggestion: dict[str, int] = {}
    for _id, suggestion in found_service:
        by_suggestion[suggestion] = by_suggestion.get(suggestion, 0) + 1
    print("  by suggestion: " + ", ".join(f"{k} {v}" for k, v in sorted(by_suggestion.items())))
    if show_plan:
        async with session_scope() as session:
            stmt = mismatch_statement(
                actor, on=on, region_code=None, suggested=None, before_id=None, limit=None
            )
            await print_plan(session, stmt, "worklist (repository statement)")


async def print_plan(session: Any, stmt: Any, title: str) -> None:
    from sqlalchemy import text

    sql = str(
        stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )
    await session.execute(text("SET LOCAL jit = off"))
    plan = (await session.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql))).all()
    print(f"  -- plan: {title}")
    for (line,) in plan:
        print("     " + line)


async def search(requests: int, show_plan: bool) -> None:
    import httpx
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.households import repository
    from app.households.categories.vocabulary import Category
    from app.households.router import household_filter
    from app.households.schemas import Cause, RiskLevel
    from app.kit.actor import Actor
    from app.kit.crypto import get_cipher
    from app.logging import configure_logging
    from app.main import create_app
    from app.models.household import Household, HouseholdMember
    from app.models.region import Region

    print(f"\n== household search: GET /staff/households, {requests} requests per filter ==")
    rng = random.Random(7)
    async with session_scope() as session:
        communities = list(
            await session.scalars(
                select(Region.code).where(
                    Region.code.between("510115000001", "510115999999"),
                    Region.level.in_(("community", "village")),
                )
            )
        )
        streets = sorted({code[:9] + "000" for code in communities})
        sample = (
            await session.execute(
                select(HouseholdMember.id_enc, HouseholdMember.name, Household.reference)
                .join(Household, Household.id == HouseholdMember.household_id)
                .where(HouseholdMember.id % 997 == 0)
                .limit(requests)
            )
        ).all()
    cipher = get_cipher()
    id_numbers = [cipher.decrypt(row.id_enc) for row in sample]
    names = [row.name for row in sample]
    references = [row.reference for row in sample]
    categories = [c.value for c in Category]
    causes = [c.value for c in Cause]
    risks = [r.value for r in RiskLevel]

    filters: dict[str, Callable[[], dict[str, str]]] = {
        "no filter (first page)": lambda: {},
        "category": lambda: {"category": rng.choice(categories)},
        "risk_level": lambda: {"risk_level": rng.choice(risks)},
        "region_code (street)": lambda: {"region_code": rng.choice(streets)},
        "region_code (community)": lambda: {"region_code": rng.choice(communities)},
        "cause": lambda: {"cause": rng.choice(causes)},
        "status=active": lambda: {"status": "active"},
        "category + region (street)": lambda: {
            "category": rng.choice(categories),
            "region_code": rng.choice(streets),
        },
        "category + risk + cause": lambda: {
            "category": rng.choice(categories),
            "risk_level": rng.choice(risks),
            "cause": rng.choice(causes),
        },
        "q: surname (1 character)": lambda: {"q": rng.choice(names)[:1]},
        "q: name prefix (2 characters)": lambda: {"q": rng.choice(names)[:2]},
        "q: full name": lambda: {"q": rng.choice(names)},
        "q: full ID number": lambda: {"q": rng.choice(id_numbers)},
        "q: reference": lambda: {"q": rng.choice(references)},
    }

    configure_logging("WARNING")  # the ASGI transport runs no lifespan, which would do it
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    results: list[tuple[str, float, float, float]] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
        tokens = {}
        for username in ("bench_district", "bench_street"):
            login = await client.post(
                "/auth/staff/login", json={"username": username, "password": PASSWORD}
            )
            login.raise_for_status()
            tokens[username] = {"Authorization": f"Bearer {login.json()['access_token']}"}

        async def measure(
            label: str, params_for: Callable[[], dict[str, str]], who: str, pages: int = 1
        ) -> None:
            latencies = []
            for index in range(requests):
                params = params_for()
                cursor = None
                for _page in range(pages if index % 2 == 0 else 1):
                    query = {**params, **({"cursor": cursor} if cursor else {})}
                    started = time.perf_counter()
                    response = await client.get(
                        "/staff/households", params=query, headers=tokens[who]
                    )
                    latencies.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{label}: {response.status_code} {response.text}")
                    cursor = response.json()["next_cursor"]
                    if not cursor:
                        break
            p50 = percentile(latencies, 0.50)
            p95 = percentile(latencies, 0.95)
            results.append((label, p50, p95, max(latencies)))
            print(
                f"  {label:<44} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(latencies):6.1f} ms"
                f"  [{target(p95 < TARGET_P95_MS)}]",
                flush=True,
            )

        for _ in range(20):  # warm-up
            await client.get("/staff/households", headers=tokens["bench_district"])
        for label, params_for in filters.items():
            await measure(label, params_for, "bench_district")
        await measure("category, following next_cursor 5 pages", filters["category"],
                      "bench_district", pages=5)  # fmt: skip
        await measure("street officer: no filter", filters["no filter (first page)"],
                      "bench_street")  # fmt: skip
        await measure("street officer: q name prefix", filters["q: name prefix (2 characters)"],
                      "bench_street")  # fmt: skip

    worst = max(p95 for _label, _p50, p95, _max in results)
    print(f"household search: worst p95 {worst:.1f} ms  [{target(worst < TARGET_P95_MS)}]")

    if show_plan:
        district = Actor("staff", 0, "district_officer", DISTRICT)
        async with session_scope() as session:
            for label, params_for in filters.items():
                params = params_for()
                f = household_filter(
                    category=Category(params["category"]) if "category" in params else None,
                    risk_level=RiskLevel(params["risk_level"]) if "risk_level" in params else None,
                    region_code=params.get("region_code"),
                    cause=Cause(params["cause"]) if "cause" in params else None,
                    status=None,
                    q=params.get("q"),
                )
                stmt = (
                    repository.filtered_statement(district, f)
                    .order_by(Household.id.desc())
                    .limit(21)
                )
                shown = {k: ("<id number>" if k == "q" and v in id_numbers else v)
                         for k, v in params.items()}  # fmt: skip
                await print_plan(session, stmt, f"{label} {shown}")


async def run(args: argparse.Namespace) -> None:
    from app.db.session import dispose_engine

    try:
        staff = await prepare()
        await generation(args.people, args.workers)
        await worklist(staff["bench_district"], args.rounds, not args.quiet_plans)
        await search(args.requests, not args.quiet_plans)
    finally:
        await dispose_engine()


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-registry-"))
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
