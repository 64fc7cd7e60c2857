"""Benchmark: one-click help submit against a bare one-INSERT endpoint, and the staff queue over
a million applications, both through the real HTTP stack (uvicorn subprocesses on loopback,
driven by httpx.AsyncClient with requests in flight).

    .venv/bin/python bench/intake.py                  # defaults: about 3-4 minutes on 2 cores
    .venv/bin/python bench/intake.py --queue-rows 0   # the submit comparison only
    .venv/bin/python bench/intake.py --workers 2 --concurrency 32 --rounds 5

Creates (dropping it first) its own PostgreSQL database, jiuzhu_bench unless --database-url says
otherwise, and drops it at the end (--keep-database keeps it). The submit comparison alternates
bare and full rounds so both meet the same background load; besides rates and latencies it
prints the CPU each request cost the client, the server process(es) and the PostgreSQL backends.
Exits non-zero if any request failed; missing a target only prints BELOW TARGET.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ itself is first on the path; the repository root must be instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import staff_queue as queue  # noqa: E402
from bench.harness import (  # noqa: E402
    Request,
    Result,
    drive,
    free_port,
    ms,
    percentile,
    pids_cpu_seconds,
    run,
    server,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
DATA_KEY = "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y="
TARGET_RATIO = 0.40
HELP_MIX = (["basic_living"], ["medical"], ["basic_living", "medical"], ["education"])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, both servers")
    parser.add_argument("--concurrency", type=int, default=16, help="submit requests in flight")
    parser.add_argument("--requests", type=int, default=2000, help="measured submits per round")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="bare/full rounds, alternated")
    parser.add_argument("--log-level", default="INFO", help="the app server's JIUZHU_LOG_LEVEL")
    parser.add_argument("--queue-rows", type=int, default=1_000_000, help="0 skips the queue")
    parser.add_argument("--queue-requests", type=int, default=200, help="per role and filter")
    parser.add_argument("--queue-concurrency", type=int, default=2)
    parser.add_argument("--skip-submit", action="store_true")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    return parser.parse_args()


def urls(database_url: str) -> tuple[str, str, str]:
    """(admin DSN, bench DSN for asyncpg, database name)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        sys.exit("--database-url must be a postgresql+asyncpg:// URL")
    plain = url.set(drivername="postgresql")
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    return admin, plain.render_as_string(hide_password=False), str(url.database)


async def recreate_database(admin_dsn: str, name: str, create: bool = True) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def seed() -> dict[str, Any]:
    """Regions, the bare table, a resident and three staff; tokens minted by the app's code."""
    from sqlalchemy import select, text

    from app.accounts.security import create_access_token
    from app.accounts.service import create_staff
    from app.db.session import dispose_engine, session_scope
    from app.models.account import Resident
    from app.models.region import Region
    from app.regions.service import BUILTIN_CSV, LEAF_LEVELS, import_regions, parse_regions_csv
    from bench.bare_app import CREATE_TABLE

    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await session.execute(text(CREATE_TABLE))
        resident = Resident(openid="bench-resident")
        session.add(resident)
        await session.flush()
        for role in queue.ROLES:
            staff = await create_staff(
                session,
                username=f"bench_{role.role}",
                password="bench-password",
                role=role.role,
                region_code=role.region_code,
            )
            role.staff_id = staff.id
        communities = list(
            await session.scalars(
                select(Region.code).where(Region.level.in_(LEAF_LEVELS)).order_by(Region.code)
            )
        )
    await dispose_engine()
    token, _ = create_access_token("resident", resident.id, "resident")
    return {"token": token, "communities": communities}


def server_env(database_url: str, var_dir: Path, log_level: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        JIUZHU_ENV="test",
        JIUZHU_DATABASE_URL=database_url,
        JIUZHU_SECRET_KEY=SECRET_KEY,
        JIUZHU_DATA_KEY=DATA_KEY,
        JIUZHU_VAR_DIR=str(var_dir),
        JIUZHU_UPLOAD_DIR=str(var_dir / "uploads"),
        JIUZHU_WECHAT_MODE="fake",
        JIUZHU_ACCESS_TOKEN_MINUTES="30",
        JIUZHU_LOG_LEVEL=log_level,
        BENCH_DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    return env


_sequence = itertools.count()


def submit_request(path: str, token: str, communities: list[str]) -> Request:
    """A valid one-click help body for oneself; every ID number and key is new."""
    from app.kit.idnumber import make_id_number

    n = next(_sequence)
    born = date(1950, 1, 1) + timedelta(days=n // 1000)
    body = {
        "relation": "self",
        "subject": {
            "name": "张三",
            "id_number": make_id_number("510115", born, n),
            "phone": f"138{n % 100_000_000:08d}",
            "region_code": communities[n % len(communities)],
            "address": "光华大道1号",
            "household_size": 1 + n % 5,
        },
        "help_types": HELP_MIX[n % len(HELP_MIX)],
        "description": "生活困难，申请救助",
        "consent": True,
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    return Request("POST", path, headers, body, expect=201)


async def backend_pids(dsn: str, database: str) -> list[int]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def measure_submit(
    name: str, args: argparse.Namespace, cmd: list[str], env: dict[str, str], path: str,
    data: dict[str, Any], log_path: Path,
) -> Result:  # fmt: skip
    port = free_port()
    command = [*cmd, "--port", str(port), "--workers", str(args.workers)]
    with server(command, env, port, log_path, name) as srv:

        def make(_i: int) -> Request:
            return submit_request(path, data["token"], data["communities"])

        warm = run(drive(srv.base_url, make, args.warmup, args.concurrency))
        if warm.failures:
            print(f"  {name} warm-up failures: {warm.failures[:3]}")
        pids = run(backend_pids(data["dsn"], data["database"]))
        client, server_cpu, backends = (
            process_cpu_seconds(),
            srv.cpu_seconds(),
            pids_cpu_seconds(pids),
        )
        result: Result = run(drive(srv.base_url, make, args.requests, args.concurrency))
        client_after, server_after = process_cpu_seconds(), srv.cpu_seconds()
        pids = sorted(set(pids) | set(run(backend_pids(data["dsn"], data["database"]))))
        # Backends that exited during the run are left out: their last figures are lost.
        backends_after = pids_cpu_seconds(pids)
        result.failures[:0] = warm.failures
        per_request = 1000 / max(1, result.count)
        result.cpu_ms = {
            "client": (client_after - client) * per_request,
            "server": (server_after - server_cpu) * per_request,
            "postgres": sum(t - backends.get(p, 0.0) for p, t in backends_after.items())
            * per_request,
        }
        return result


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def line(label: str, result: Result) -> str:
    lat = result.latencies
    cpu = "   ".join(f"{k} {v:4.2f}" for k, v in result.cpu_ms.items())
    return (
        f"  {label:<34} {result.rate:7.1f} req/s   p50 {ms(percentile(lat, 50))} ms   "
        f"p95 {ms(percentile(lat, 95))} ms   fail {len(result.failures)}"
        + (f"   CPU ms/req: {cpu}" if cpu else "")
    )


def combine(results: list[Result]) -> Result:
    """All rounds as one: latencies pooled, time summed, CPU per request averaged."""
    total = Result([x for r in results for x in r.latencies], sum(r.elapsed for r in results), [])
    for key in results[0].cpu_ms:
        total.cpu_ms[key] = sum(r.cpu_ms[key] * r.count for r in results) / max(1, total.count)
    return total


def submit_phase(args: argparse.Namespace, env: dict[str, str], data: dict[str, Any],
                 logs: Path) -> tuple[int, str]:  # fmt: skip
    app_cmd = ["-m", "app", "serve"]
    # The options app/cli.py serve passes to uvicorn, so both servers are configured alike.
    bare_cmd = ["-m", "uvicorn", "bench.bare_app:create_app", "--factory", "--no-access-log",
                "--no-proxy-headers"]  # fmt: skip
    print(
        f"\n== Submit: POST /api/v1/applications vs POST /bare (one INSERT) ==\n"
        f"  uvicorn workers {args.workers} (both servers), {os.cpu_count()} CPUs, "
        f"{args.concurrency} in flight, {args.requests} requests per round after "
        f"{args.warmup} warm-up, {args.rounds} round(s), app log level {args.log_level}"
    )
    bare: list[Result] = []
    full: list[Result] = []
    for round_no in range(1, args.rounds + 1):
        b = measure_submit("bare", args, bare_cmd, env, "/bare", data, logs / "bare.log")
        print(line(f"round {round_no} bare  POST /bare", b), flush=True)
        f = measure_submit("app", args, app_cmd, env, "/api/v1/applications", data,
                           logs / "app.log")  # fmt: skip
        print(line(f"round {round_no} full  POST /api/v1/applications", f), flush=True)
        bare.append(b)
        full.append(f)
    failures = 0
    for result in [*bare, *full]:
        failures += len(result.failures)
        for message in result.failures[:3]:
            print(f"  FAILED: {message}")
    bare_all = combine(bare)
    full_all = combine(full)
    ratio = full_all.rate / bare_all.rate if bare_all.rate else 0.0
    print(line("all rounds bare", bare_all))
    print(line("all rounds full", full_all))
    verdict = "PASS" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"  full/bare = {full_all.rate:.1f} / {bare_all.rate:.1f} = {ratio:.1%}   "
        f"(target >= {TARGET_RATIO:.0%})   {verdict}"
    )

    def brief(result: Result) -> str:
        p50, p95 = (percentile(result.latencies, q) * 1000 for q in (50, 95))
        return f"{result.rate:.1f} req/s (p50 {p50:.1f} ms, p95 {p95:.1f} ms)"

    summary = (
        f"submit: full {brief(full_all)}, bare {brief(bare_all)}, full/bare {ratio:.1%} "
        f"(target >= {TARGET_RATIO:.0%}) {verdict}; uvicorn workers {args.workers}"
    )
    return failures, summary


async def queue_setup(dsn: str, rows: int) -> float:
    from app.config import get_settings
    from app.kit.crypto import get_cipher
    from bench.queue_data import load_applications

    assignee = next(r.staff_id for r in queue.ROLES if r.role == "community_worker")
    return await load_applications(
        dsn,
        rows,
        prefix=get_settings().reference_prefix,
        dummy_ciphertext=get_cipher().encrypt("510115197001010000"),
        assignee_id=assignee,
    )


async def queue_tokens_and_samples(dsn: str) -> None:
    import asyncpg

    from app.accounts.security import create_access_token
    from app.regions.jurisdiction import subtree_bounds

    conn = await asyncpg.connect(dsn)
    try:
        top = int(await conn.fetchval("SELECT max(id) FROM applications"))
        for role in queue.ROLES:
            role.token, _ = create_access_token("staff", role.staff_id, role.role)
            low, high = subtree_bounds(role.region_code)
            rows = await conn.fetch(
                "SELECT reference FROM applications WHERE id = ANY($1::bigint[]) "
                "AND region_code BETWEEN $2 AND $3 LIMIT 50",
                [int(top * (i + 0.5) / 2000) + 1 for i in range(2000)],
                low,
                high,
            )
            role.references = tuple(r["reference"] for r in rows)
    finally:
        await conn.close()


async def explain_all() -> None:
    from app.db.session import dispose_engine, session_scope
    from app.kit.actor import Actor
    from app.kit.pagination import decode_cursor

    district, street, community = queue.ROLES
    # Every filter for the district officer; the narrower jurisdictions where plans differ; a
    # common and a rare name prefix ("王", "张伟").
    plans = [(district, name, 0) for name in queue.FILTERS] + [
        (district, "q=name prefix", 1),
        (street, "overdue=true", 0),
        (street, "q=name prefix", 0),
        (community, "none", 0),
        (community, "status=submitted", 0),
        (community, "help_type=medical", 0),
        (community, "q=name prefix", 0),
    ]
    async with session_scope() as session:
        for role, name, i in plans:
            actor = Actor("staff", role.staff_id, role.role, role.region_code, "bench")
            before = int(decode_cursor(role.cursor, 1)[0]) if role.cursor else None
            shown, lines = await queue.explain(session, actor, role, name, before, i)
            detail = f" ({shown})" if name.startswith(("q=", "region_code")) else ""
            print(f"\n  -- {role.label}, {name}{detail}:")
            print("\n".join(lines))
    await dispose_engine()


def queue_phase(
    args: argparse.Namespace, env: dict[str, str], dsn: str, logs: Path
) -> tuple[int, str]:
    print(f"\n== Staff queue: GET /api/v1/staff/applications over {args.queue_rows:,} rows ==")
    seconds: float = run(queue_setup(dsn, args.queue_rows))
    print(f"  bulk load of {args.queue_rows:,} applications + VACUUM ANALYZE: {seconds:.1f} s")
    run(queue_tokens_and_samples(dsn))
    port = free_port()
    command = ["-m", "app", "serve", "--port", str(port), "--workers", str(args.workers)]
    with server(command, env, port, logs / "app-queue.log", "app") as srv:
        base = srv.base_url
        run(queue.prepare(base, queue.ROLES))
        print(
            f"  {args.queue_requests} requests per role and filter, {args.queue_concurrency} in "
            f"flight, limit 20, uvicorn workers {args.workers}"
        )
        results = run(queue.measure(base, queue.ROLES, args.queue_requests, args.queue_concurrency))
    p95, failures = queue.report(results)
    for result in results.values():
        for message in result.failures[:3]:
            print(f"  FAILED: {message}")
    verdict = "PASS" if p95 < queue.TARGET_P95 else "BELOW TARGET"
    print(f"  queue overall p95 = {p95 * 1000:.1f} ms   (target < 50 ms)   {verdict}")
    print("\n  EXPLAIN (ANALYZE, BUFFERS) of the queue statements (repository.list_queue):")
    run(explain_all())
    summary = (
        f"queue: {args.queue_rows:,} rows loaded in {seconds:.1f} s; overall p95 "
        f"{p95 * 1000:.1f} ms (target < 50 ms) {verdict}"
    )
    return failures, summary


def main() -> int:
    args = parse_args()
    admin_dsn, dsn, name = urls(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="jiuzhu-bench-"))
    env = server_env(args.database_url, work, args.log_level)
    for key in ("JIUZHU_ENV", "JIUZHU_DATABASE_URL", "JIUZHU_SECRET_KEY", "JIUZHU_DATA_KEY",
                "JIUZHU_VAR_DIR", "JIUZHU_UPLOAD_DIR", "JIUZHU_WECHAT_MODE",
                "JIUZHU_ACCESS_TOKEN_MINUTES"):  # fmt: skip
        os.environ[key] = env[key]
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"

    started = time.perf_counter()
    asyncio.run(recreate_database(admin_dsn, name))
    from app.db.migrate import upgrade

    upgrade()
    data = run(seed())
    data.update(dsn=dsn, database=name)
    print(f"database {name} created, migrated and seeded; server logs under {work}")

    failures = 0
    summaries = []
    if not args.skip_submit:
        failed, summary = submit_phase(args, env, data, work)
        failures += failed
        summaries.append(summary)
    if args.queue_rows > 0:
        failed, summary = queue_phase(args, env, dsn, work)
        failures += failed
        summaries.append(summary)
    if not args.keep_database:
        asyncio.run(recreate_database(admin_dsn, name, create=False))
    print("\n== Summary ==")
    for summary in summaries:
        print(f"  {summary}")
    print(f"  finished in {time.perf_counter() - started:.0f} s; failed requests: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
