"""Benchmark: importing agency data against a million monitored people.

    .venv/bin/python bench/monitoring.py [--people 1000000] [--rows 1000000] [--workers N]

1. Generation (not timed here): ``python -m app generate``'s code makes the population, and
   ``bench/warning_scans.py``'s statements about 0.35 signals a person over every source.
2. A medical file of ``--rows`` rows (90% monitored people, 10% not) is imported as
   ``python -m app import FILE --source medical`` does it, in a child process whose peak RSS
   (its own ``VmHWM``, and its largest pool worker's by ``getrusage``) is measured; prints
   rows/s (target >= 150,000) and peak memory (target < 300 MB).
3. The baseline: hand-written SQL doing the same work in the same run: COPY of the file into a
   table, then one INSERT matching rows to members by the same HMAC (pgcrypto) into a copy of
   ``signals`` as it stood before the import (same rows, same indexes); prints its rows/s and
   the ratio (target <= 1.5x).
4. A full scan of every enabled rule through the engine beside one hand-written statement per
   rule (``bench/warning_scans_sql.py``), rolled back (targets < 10 s, <= 1.5x).
5. A 10,000-row medical import, timed the same way, then the incremental scan over the people
   it touched beside the hand-written statements restricted alike (targets < 1 s, <= 1.5x).

Creates (drops first) its own PostgreSQL database. Missing a target prints BELOW TARGET. The
machine may be shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # warning_scans: the scans and their hand-written SQL

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_monitoring"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
DATA_KEY = "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y="
DISTRICT = "510115000000"
TARGET_RATE = 150_000
TARGET_RATIO = 1.5
TARGET_RSS_MB = 300
HEADER = "id_number,name,visit_date,inpatient,total_cost,out_of_pocket,hospital"
HOSPITALS = ("温江区人民医院", "光华社区卫生服务中心", "四川省人民医院", "温江区中医医院")

BASELINE_SQL = """
INSERT INTO signals_baseline (source, import_id, row_number, row_digest, person_hash,
    person_id_enc, person_id_masked, person_name, household_id, member_id, region_code,
    occurred_on, amount, flag, detail, created_at)
SELECT 'medical', 0, r.n,
    encode(sha256(convert_to('medical|' || r.h || '|' || r.visit_date || '|' || r.out_of_pocket
        || '|' || r.inpatient || '|' || r.total_cost || '|' || r.hospital, 'UTF8')), 'hex'),
    r.h, NULL, left(r.id_number, 6) || '********' || right(r.id_number, 4), r.name,
    p.household_id, p.member_id, p.region_code, r.visit_date::date, r.out_of_pocket::numeric,
    CASE WHEN r.inpatient IN ('是', '1') THEN 'inpatient' ELSE 'outpatient' END,
    json_build_object('total_cost', r.total_cost, 'hospital', r.hospital), now()
FROM (
    SELECT raw.*, row_number() OVER () + 1 AS n,
           encode(hmac(convert_to(upper(raw.id_number), 'UTF8'), $1::bytea, 'sha256'), 'hex') AS h
    FROM baseline_raw raw
) r
LEFT JOIN (
    SELECT m.id AS member_id, m.household_id, m.id_hash, h.region_code
    FROM household_members m JOIN households h ON h.id = m.household_id
    WHERE m.active AND h.status = 'active'
) p ON p.id_hash = r.h
ON CONFLICT (person_hash, source, occurred_on, row_digest) DO NOTHING
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the big file")
    parser.add_argument("--small-rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="import and generator processes")
    parser.add_argument("--outsiders", type=int, default=50_000, help="people only in signals")
    parser.add_argument("--rounds", type=int, default=3, help="incremental scan rounds")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def target(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


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


async def populate(people: int, workers: int | None) -> None:
    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import analyze, generate
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
    started = time.perf_counter()
    async with session_scope() as session:
        result = await generate(session, people, root=DISTRICT, workers=workers)
    async with session_scope() as session:
        await analyze(session)
    print(
        f"population: {result.people:,} people in {result.households:,} households "
        f"({time.perf_counter() - started:.1f} s, not part of the figures)",
        flush=True,
    )


async def monitored_id_numbers(count: int) -> list[tuple[str, str]]:
    """ID numbers and names of ``count`` active members (decrypted: the file an agency sends)."""
    from sqlalchemy import text

    from app.db.session import session_scope
    from app.kit.crypto import get_cipher

    cipher = get_cipher()
    async with session_scope() as session:
        rows = await session.execute(
            text("SELECT id_enc, name FROM household_members WHERE active LIMIT :n"), {"n": count}
        )
        return [(cipher.decrypt(enc), name) for enc, name in rows]


def write_file(path: Path, people: list[tuple[str, str]], rows: int, seed: int) -> None:
    """``rows`` medical rows: 90% about ``people`` (monitored), 10% about people who are not."""
    from app.kit.idnumber import make_id_number

    rng = random.Random(seed)
    start = date(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        for index in range(rows):
            if index % 10 == 9 or not people:
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
                id_number, name = make_id_number("510115", born, rng.randrange(1000)), "外来人员"
            else:
                id_number, name = people[index % len(people)]
            visit = start + timedelta(days=rng.randrange(300))
            total = rng.randrange(1_000, 5_000_000)
            own = rng.randrange(0, total)
            inpatient = "是" if rng.random() < 0.2 else "否"
            hospital = HOSPITALS[index % len(HOSPITALS)]
            handle.write(
                f"{id_number},{name},{visit},{inpatient},{total // 100}.{total % 100:02d},"
                f"{own // 100}.{own % 100:02d},{hospital}\n"
            )


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(path: Path) -> None:
    """In a child process: the import as the command line runs it, then its figures as JSON."""
    from app.cli import _run
    from app.monitoring.service import import_file

    started = time.perf_counter()
    timings: dict[str, float] = {}
    status, record = _run(lambda: import_file(path, "medical", timings))
    seconds = time.perf_counter() - started
    # VmHWM: this process's own peak since it started. (getrusage's RUSAGE_SELF would report
    # the bench's own peak too: Linux keeps the largest RSS of the process image an exec
    # replaced, here the parent's copy at the fork, holding a million ID numbers.)
    own = peak_rss_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "id": record.id,
                "status": record.status,
                "http_status": status,
                "seconds": seconds,
                "rows_read": record.rows_read,
                "matched": record.matched,
                "unmatched": record.unmatched,
                "rejected": record.rejected,
                "duplicates": record.duplicates,
                "rss_mb": own,
                "worker_rss_mb": workers,
                "timings": timings,
            }
        )
    )


def timed_import(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--database-url",
            os.environ["JIUZHU_DATABASE_URL"],
            "--child-import",
            str(path),
        ],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"import failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


async def baseline(path: Path, import_id: int) -> tuple[float, int, int]:
    """COPY of the file and one matching INSERT, by hand; (seconds, rows, matched). The
    target table is a copy of ``signals`` as it stood before import ``import_id`` (same rows,
    same indexes, filled and analyzed before the clock starts): inserting into an empty table
    would be less work than the import does."""
    from sqlalchemy import text

    from app.db.session import get_engine
    from app.kit.crypto import get_cipher

    engine = get_engine()
    async with engine.connect() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pgcrypto"))
        await conn.execute(text("DROP TABLE IF EXISTS signals_baseline"))
        await conn.execute(text("CREATE TABLE signals_baseline (LIKE signals INCLUDING ALL)"))
        await conn.execute(
            text("INSERT INTO signals_baseline SELECT * FROM signals WHERE import_id <> :id"),
            {"id": import_id},
        )
        await conn.commit()
        await conn.execute(text("ANALYZE signals_baseline"))
        await conn.commit()
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        key = get_cipher()._current.hash_key
        started = time.perf_counter()
        async with driver.transaction():
            await driver.execute(
                "CREATE TEMP TABLE baseline_raw (id_number text, name text, visit_date text, "
                "inpatient text, total_cost text, out_of_pocket text, hospital text) "
                "ON COMMIT DROP"
            )
            await driver.copy_to_table("baseline_raw", source=str(path), format="csv", header=True)
            await driver.execute(BASELINE_SQL, key)
        seconds = time.perf_counter() - started
        rows = await driver.fetchval("SELECT count(*) FROM signals_baseline WHERE import_id = 0")
        matched = await driver.fetchval(
            "SELECT count(*) FROM signals_baseline WHERE import_id = 0 AND member_id IS NOT NULL"
        )
        await driver.execute("DROP TABLE signals_baseline")
    return seconds, int(rows), int(matched)


def report(label: str, figures: dict[str, Any], rows: int) -> tuple[float, float]:
    """Prints the import's figures; (seconds to landed signals, seconds in all)."""
    timings = figures["timings"]
    evaluation = timings.get("rules_and_commit", 0.0)
    landed = figures["seconds"] - evaluation
    rate = figures["rows_read"] / landed
    rss = max(figures["rss_mb"], figures["worker_rss_mb"])
    print(
        f"{label}: {figures['rows_read']:,} rows landed in {landed:.2f} s = {rate:,.0f} rows/s "
        f"[{target(rate >= TARGET_RATE)}]; with the rules over the people it touched "
        f"{figures['seconds']:.2f} s = {figures['rows_read'] / figures['seconds']:,.0f} rows/s; "
        f"{figures['matched']:,} matched, {figures['unmatched']:,} unmatched, "
        f"{figures['rejected']} rejected ({figures['status']})"
    )
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
    print(f"  steps: {steps} (the rest: start-up, copying and checking the file)")
    print(
        f"  peak RSS: importing process {figures['rss_mb']:.0f} MB, largest pool worker "
        f"{figures['worker_rss_mb']:.0f} MB [{target(rss < TARGET_RSS_MB)}]; {load()}"
    )
    assert figures["rows_read"] == rows, figures
    return landed, figures["seconds"]


async def other_signals(outsiders: int) -> None:
    """What a full scan has to look at besides medical bills: signals of every source about
    members, and people known only from signals (as ``bench/warning_scans.py`` makes them)."""
    from sqlalchemy import text
    from warning_scans import MEMBER_SIGNALS, OUTSIDERS, new_import

    from app.db.session import get_engine, session_scope

    started = time.perf_counter()
    async with session_scope() as session:
        import_id = await new_import(session, "medical", "a")
        await session.execute(text(MEMBER_SIGNALS), {"import_id": import_id})
        await session.execute(text(OUTSIDERS), {"import_id": import_id, "outsiders": outsiders})
        count = await session.scalar(text("SELECT count(*) FROM signals"))
    async with get_engine().connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM (ANALYZE) signals"))
    print(
        f"signals of every source: {count:,} ({time.perf_counter() - started:.1f} s, "
        "not part of the figures)",
        flush=True,
    )


async def run(args: argparse.Namespace, workdir: Path) -> None:
    from warning_scans import TARGET_FULL_SECONDS, TARGET_INCREMENTAL_SECONDS, compare

    print(f"== population: {args.people:,} people ==", flush=True)
    await populate(args.people, args.workers)
    await other_signals(args.outsiders)
    people = await monitored_id_numbers(min(args.people, args.rows))
    big, small = workdir / "medical-big.csv", workdir / "medical-small.csv"
    write_file(big, people, args.rows, seed=1)
    write_file(small, people, args.small_rows, seed=2)
    del people
    size = big.stat().st_size / 1024 / 1024
    print(f"\n== import: {args.rows:,}-row medical file ({size:.0f} MB) ==  ({load()})", flush=True)
    figures = await asyncio.to_thread(timed_import, big)
    landed, _ = report("import", figures, args.rows)
    print("\n== baseline: COPY + one matching INSERT, hand-written ==", flush=True)
    seconds, rows, matched = await baseline(big, int(figures["id"]))
    print(
        f"baseline: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s, "
        f"{matched:,} matched ({load()})"
    )
    if matched != figures["matched"]:
        print(f"  MISMATCH: the import matched {figures['matched']:,}")
    ratio = landed / seconds
    verdict = target(ratio <= TARGET_RATIO)
    print(f"ratio import (to landed signals) / baseline: {ratio:.2f}x [{verdict}]")
    # Warmed first (each once): run cold, the first of the two pays for reading the tables.
    engine, hand = await compare(
        f"full scan, every rule, {args.people:,} people", None, 1, TARGET_FULL_SECONDS
    )
    print(f"\n== import: {args.small_rows:,}-row medical file ==", flush=True)
    small_figures = await asyncio.to_thread(timed_import, small)
    report("small import", small_figures, args.small_rows)
    rules = small_figures["timings"]["rules_and_commit"]
    print(f"  its rules over the people it touched: {rules:.2f} s (with the commit)")
    await compare(
        f"incremental scan after the {args.small_rows:,}-row import (rolled back)",
        int(small_figures["id"]),
        args.rounds,
        TARGET_INCREMENTAL_SECONDS,
    )
    del engine, hand


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-monitoring-"))
    os.environ["JIUZHU_SECRET_KEY"] = SECRET_KEY
    os.environ["JIUZHU_DATA_KEY"] = DATA_KEY
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"
    if args.workers:
        os.environ["JIUZHU_IMPORT_WORKERS"] = str(args.workers)
    if args.child_import:
        child_import(args.child_import)
        return
    asyncio.run(recreate_database(args.database_url))
    from app.db.migrate import upgrade

    upgrade()
    workdir = Path(os.environ["JIUZHU_VAR_DIR"])
    try:
        asyncio.run(run(args, workdir))
    finally:
        for name in ("medical-big.csv", "medical-small.csv"):
            (workdir / name).unlink(missing_ok=True)
        if not args.keep_database:
            asyncio.run(recreate_database(args.database_url, drop_only=True))


if __name__ == "__main__":
    main()
