"""Benchmark: warning scans at a million monitored people.

    .venv/bin/python bench/warning_scans.py [--people 1000000] [--rounds 3] [--keep-database]

1. Generates the population (``python -m app generate``'s code) and about 0.35 signals per
   person over every source, plus 50,000 people known only from signals (set-based SQL).
2. Full scan: every rule through the engine (``app.monitoring.rules.engine``), beside the
   hand-written SQL of ``bench/warning_scans_sql.py`` (one statement per rule, the same
   work), each in a transaction rolled back so every round starts alike; medians and the
   ratio (targets < 10 s and <= 1.5x).
3. Incremental scan after a 10,000-row import (the full scan's warnings committed first): the
   engine restricted to the import's people beside the hand-written statements restricted
   alike (targets < 1 s and <= 1.5x).

Creates (drops first) its own PostgreSQL database. Missing a target prints BELOW TARGET.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_warning_scans"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
DATA_KEY = "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y="
DISTRICT = "510115000000"
TARGET_FULL_SECONDS = 10.0
TARGET_INCREMENTAL_SECONDS = 1.0
TARGET_RATIO = 1.5

# Signals about monitored people: per source, the share of members and the columns' values.
MEMBER_SIGNALS = """
INSERT INTO signals (source, import_id, row_number, row_digest, person_hash, person_id_masked,
    person_name, household_id, member_id, region_code, occurred_on, amount, quantity, flag,
    detail, created_at)
SELECT src.source, :import_id, row_number() OVER (),
       md5(src.source || src.share::text || m.id::text || k::text)
           || md5(m.id::text || k::text || src.source),
       m.id_hash, m.id_masked, m.name, m.household_id, m.id, h.region_code,
       CASE WHEN src.source = 'income' THEN current_date - 30 * k - 1
            ELSE current_date - (random() * 400)::int END,
       CASE WHEN src.source = 'medical' THEN round((random() * 9000)::numeric, 2)
            WHEN src.source = 'income' THEN round((500 + random() * 6000)::numeric, 2) END,
       CASE WHEN src.source = 'disability' THEN 1 + (random() * 3)::int
            WHEN src.source = 'utility_arrears' THEN 1 + (random() * 5)::int END,
       CASE WHEN src.source = 'medical' AND random() < 0.3 THEN 'inpatient'
            WHEN src.source = 'housing_safety' THEN chr(65 + (random() * 3)::int)
            WHEN src.source = 'income' AND random() < 0.2 THEN 'disability_allowance' END,
       '{}', now()
FROM household_members m
JOIN households h ON h.id = m.household_id
CROSS JOIN (VALUES ('medical', 0.08), ('death', 0.003), ('disability', 0.005),
                   ('unemployment', 0.01), ('utility_arrears', 0.01),
                   ('housing_safety', 0.005), ('vehicle', 0.005), ('business', 0.003),
                   ('income', 0.02), ('school_aid', 0.03), ('school_aid', 0.9))
                   AS src(source, share)
CROSS JOIN generate_series(0, 3) AS k
WHERE (k = 0 OR src.source = 'income')
  -- school aid for nine children in ten
  AND (src.share <> 0.9 OR m.birth_date BETWEEN current_date - 6570 AND current_date - 2190)
  -- per member and source (a plain random() would be evaluated once per source)
  AND abs(hashtext(m.id::text || src.source || src.share::text)) % 100000 < src.share * 100000
"""
# People in no household: medical bills and disability certificates.
OUTSIDERS = """
INSERT INTO signals (source, import_id, row_number, row_digest, person_hash, person_id_masked,
    person_name, region_code, occurred_on, amount, quantity, detail, created_at)
SELECT CASE WHEN g % 5 = 0 THEN 'disability' ELSE 'medical' END, :import_id, g,
       md5('outsider' || g::text || k::text) || md5(g::text || k::text),
       md5('person' || g::text) || md5(g::text || 'person'), '510115********0000', '某',
       CASE WHEN g % 3 = 0 THEN NULL ELSE '510115001001' END,
       current_date - (random() * 400)::int,
       CASE WHEN g % 5 <> 0 THEN round((random() * 12000)::numeric, 2) END,
       CASE WHEN g % 5 = 0 THEN 1 + (random() * 3)::int END, '{}', now()
FROM generate_series(1, :outsiders) AS g CROSS JOIN generate_series(0, 1) AS k
"""
# A new import of 10,000 rows about random people (most of them monitored).
IMPORT_ROWS = """
INSERT INTO signals (source, import_id, row_number, row_digest, person_hash, person_id_masked,
    person_name, household_id, member_id, region_code, occurred_on, amount, flag, detail,
    created_at)
SELECT 'medical', :import_id, row_number() OVER (),
       md5('import' || m.id::text) || md5(m.id::text || 'import'),
       m.id_hash, m.id_masked, m.name, m.household_id, m.id, h.region_code,
       current_date - (random() * 60)::int, round((random() * 9000)::numeric, 2),
       CASE WHEN random() < 0.3 THEN 'inpatient' END, '{}', now()
FROM household_members m JOIN households h ON h.id = m.household_id
WHERE m.active
ORDER BY random() LIMIT :rows
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--outsiders", type=int, default=50_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def target(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


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


async def new_import(session: Any, source: str, tag: str) -> int:
    from app.models.monitoring import MonitoringImport

    record = MonitoringImport(source=source, status="done", file_sha256=tag * 64)
    session.add(record)
    await session.flush()
    return int(record.id)


async def populate(people: int, outsiders: int) -> None:
    from sqlalchemy import text

    from app.db.session import get_engine, session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import generate
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    print(f"\n== population: {people:,} people ==", flush=True)
    started = time.perf_counter()
    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
    async with session_scope() as session:
        result = await generate(session, people, root=DISTRICT)
    async with session_scope() as session:
        import_id = await new_import(session, "medical", "a")
        await session.execute(text(MEMBER_SIGNALS), {"import_id": import_id})
        await session.execute(text(OUTSIDERS), {"import_id": import_id, "outsiders": outsiders})
        signals = await session.scalar(text("SELECT count(*) FROM signals"))
    async with get_engine().connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("households", "household_members", "signals"):
            await conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    print(
        f"{result.people:,} people in {result.households:,} households, {signals:,} signals "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = await work()
    return time.perf_counter() - started, value


async def engine_scan(import_id: int | None, *, commit: bool = False) -> dict[str, int]:
    from app.db.session import session_scope
    from app.kit.timeutil import local_today, now
    from app.monitoring.rules.engine import run_rules
    from app.monitoring.warnings.scans import create_scan

    async with session_scope() as session:
        scan = await create_scan(session, import_id=import_id)
        opened = await run_rules(
            session,
            on=local_today(),
            district_code=DISTRICT,
            scan_id=scan.id,
            at=now(),
            import_id=import_id,
        )
        if not commit:
            await session.rollback()
    return opened


async def hand_scan(import_id: int | None) -> dict[str, int]:
    from sqlalchemy import text
    from warning_scans_sql import EVENTS, STANDARD_CENTS, TOUCHED, params, statements

    from app.db.session import session_scope
    from app.kit.timeutil import local_today, now
    from app.monitoring.rules.engine import INCREMENTAL_RANDOM_PAGE_COST, SCAN_WORK_MEM
    from app.monitoring.warnings.scans import create_scan
    from app.regions.jurisdiction import subtree_bounds

    on = local_today()
    at = now()
    low, high = subtree_bounds(DISTRICT)
    opened: dict[str, int] = {}
    async with session_scope() as session:
        scan = await create_scan(session, import_id=import_id)
        await session.execute(text("SET LOCAL jit = off"))
        await session.execute(text(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'"))  # as the engine
        if import_id is not None:
            cost = INCREMENTAL_RANDOM_PAGE_COST
            await session.execute(text(f"SET LOCAL random_page_cost = {cost}"))
        await session.execute(text(STANDARD_CENTS), {"low": low, "high": high, "on": on})
        if import_id is not None:
            for sql in TOUCHED:
                await session.execute(text(sql), {"import_id": import_id})
        source = None
        if import_id is not None:
            source = await session.scalar(
                text("SELECT source FROM monitoring_imports WHERE id = :id"), {"id": import_id}
            )
        for code, rule_class, level, sql, window in statements(
            incremental=import_id is not None, source=source
        ):
            result = await session.execute(
                text(sql),
                {
                    **params(on, window),
                    "code": code,
                    "class": rule_class,
                    "level": level,
                    "district": DISTRICT,
                    "scan_id": scan.id,
                    "at": at,
                    "quiet": at.replace(year=at.year - 1),
                    "import_id": import_id,
                },
            )
            opened[code] = result.rowcount
        await session.execute(text(EVENTS), {"scan_id": scan.id})
        await session.rollback()
    return opened


async def compare(
    title: str, import_id: int | None, rounds: int, limit: float, *, warm: bool = True
) -> tuple[float, float]:
    """The engine beside the hand-written statements, ``rounds`` times each, alternated;
    (engine median, hand-written median) in seconds."""
    print(f"\n== {title} ==", flush=True)
    if warm:
        await engine_scan(import_id)  # warm caches and statement compilation
        await hand_scan(import_id)
    engine_times, hand_times = [], []
    engine_found: dict[str, int] = {}
    hand_found: dict[str, int] = {}
    for _ in range(rounds):
        seconds, engine_found = await timed(lambda: engine_scan(import_id))
        engine_times.append(seconds)
        seconds, hand_found = await timed(lambda: hand_scan(import_id))
        hand_times.append(seconds)
    engine_median = statistics.median(engine_times)
    hand_median = statistics.median(hand_times)
    ratio = engine_median / hand_median
    same = {k: v for k, v in engine_found.items() if v} == {
        k: v for k, v in hand_found.items() if v
    }
    print(f"warnings opened: {sum(engine_found.values()):,} (hand-written SQL agrees: {same})")
    if not same:
        differ = {
            code: (engine_found.get(code, 0), hand_found.get(code, 0))
            for code in {*engine_found, *hand_found}
            if engine_found.get(code, 0) != hand_found.get(code, 0)
        }
        print(f"  differ (engine, hand-written): {differ}")
    print("  by rule: " + ", ".join(f"{k} {v}" for k, v in engine_found.items() if v))
    print(
        f"engine (16 rules):        median {engine_median:.3f} s (min {min(engine_times):.3f})"
        f"  [{target(engine_median < limit)}]"
    )
    print(f"hand-written SQL:         median {hand_median:.3f} s (min {min(hand_times):.3f})")
    print(f"ratio: {ratio:.2f}x  [{target(ratio <= TARGET_RATIO)}]")
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    return engine_median, hand_median


async def run(args: argparse.Namespace) -> None:
    from sqlalchemy import text

    from app.db.session import dispose_engine, session_scope

    try:
        await populate(args.people, args.outsiders)
        await compare("full scan, every rule", None, args.rounds, TARGET_FULL_SECONDS)
        await engine_scan(None, commit=True)
        async with session_scope() as session:
            import_id = await new_import(session, "medical", "b")
            await session.execute(
                text(IMPORT_ROWS), {"import_id": import_id, "rows": args.import_rows}
            )
        async with session_scope() as session:
            await session.execute(text("ANALYZE signals"))
        await compare(
            f"incremental scan after a {args.import_rows:,}-row import",
            import_id,
            args.rounds,
            TARGET_INCREMENTAL_SECONDS,
        )
    finally:
        await dispose_engine()


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-warnings-"))
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
