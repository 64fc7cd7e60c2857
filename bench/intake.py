"""Benchmark: one-click help submit against a bare one-INSERT endpoint, driven by wrk (a C load
generator, so that the server is measured and not the client), and the staff queue over a
million applications; both through uvicorn subprocesses on loopback.

    .venv/bin/python bench/intake.py                  # defaults: about 4-5 minutes on 2 cores
    .venv/bin/python bench/intake.py --queue-rows 0   # the submit comparison only
    .venv/bin/python bench/intake.py --workers 2 --connections 32 --duration 10 --rounds 2

The submit comparison needs ``wrk`` (``apt-get install -y wrk``); bench/submit.lua posts bodies
that this script writes beforehand (each with a new valid ID number) with a new
``Idempotency-Key`` per request, as a resident whose token comes from the fake WeChat login.
Bare and full rounds alternate so both meet the same background load; each bare round is
followed by wrk against the bare server's static ``/healthz``, and wrk's own CPU is read from
the kernel, to show that the client is not the limit.

Creates (dropping it first) its own PostgreSQL database, jiuzhu_bench unless --database-url says
otherwise, and drops it at the end (--keep-database keeps it). Exits non-zero if any request
failed; missing a target only prints BELOW TARGET.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ itself is first on the path; the repository root must be instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import staff_queue as queue  # noqa: E402
from bench.harness import free_port, pids_cpu_seconds, run, server  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
DATA_KEY = "hmj4tQfCmt8QXLnqSpXxADwfHYyj3iDnKru_B7BPK8Y="
TARGET_RATIO = 0.20
# The client check: wrk below this share of one core, and the static endpoint this many times
# the bare rate.
CLIENT_CPU_LIMIT = 0.5
STATIC_HEADROOM = 2.0
HELP_MIX = (["basic_living"], ["medical"], ["basic_living", "medical"], ["education"])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, both servers")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=float, default=10, help="seconds of each wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of wrk before each")
    parser.add_argument("--static-duration", type=float, default=5, help="seconds, /healthz")
    parser.add_argument(
        "--body-rate", type=int, default=6000, help="bodies written per second of a wrk run"
    )
    parser.add_argument("--rounds", type=int, default=2, help="bare/full rounds, alternated")
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
    """Regions, the bare table and three staff (the resident signs in through WeChat)."""
    from sqlalchemy import select, text

    from app.accounts.service import create_staff
    from app.db.session import dispose_engine, session_scope
    from app.models.region import Region
    from app.regions.service import BUILTIN_CSV, LEAF_LEVELS, import_regions, parse_regions_csv
    from bench.bare_app import CREATE_TABLE

    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await session.execute(text(CREATE_TABLE))
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
    return {"communities": communities}


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


WRK_SCRIPT = ROOT / "bench" / "submit.lua"
WRK_MISSING = (
    "wrk (the HTTP load generator) is not installed: the submit benchmark drives HTTP with it "
    "so that the client is not what is measured.\n"
    "  Install it from Debian's packages:  apt-get install -y wrk\n"
    "  (or run only the staff queue:  bench/intake.py --skip-submit)"
)


def find_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        print(WRK_MISSING, file=sys.stderr)
        sys.exit(2)
    return found


def write_bodies(
    path: Path, count: int, start: int, communities: list[str], consent_version: str
) -> None:
    """``count`` valid one-click help bodies for oneself, one JSON object a line, each about a
    person of its own (an ID number with a valid check digit that no other line has), agreeing
    to the privacy notice ``consent_version``."""
    from app.kit.idnumber import make_id_number

    with path.open("w", encoding="utf-8") as out:
        for n in range(start, start + count):
            born = date(1940, 1, 1) + timedelta(days=n // 1000)
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
                "consent_version": consent_version,
            }
            out.write(json.dumps(body, ensure_ascii=False) + "\n")


@dataclass
class WrkRun:
    """One wrk run: what it counted, and the CPU it (the client) used."""

    requests: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    client_cpu: float  # seconds of CPU wrk used
    server_cpu: float = 0.0  # seconds, the uvicorn process group
    postgres_cpu: float = 0.0  # seconds, the database's backends

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def per_request_ms(self, cpu_seconds: float) -> float:
        return cpu_seconds * 1000 / max(1, self.requests)


def run_wrk(wrk: str, url: str, args: argparse.Namespace, seconds: float, bodies: str,
            token: str, tag: str) -> WrkRun:  # fmt: skip
    """wrk against ``url`` for ``seconds``; its CPU time is read from the kernel's accounting
    of the child (``wait4``)."""
    command = [
        wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds:g}s",
        "--timeout", "30s", "-s", str(WRK_SCRIPT), url, "--", bodies, token,
        str(args.threads), tag,
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^WRK_RESULT (.*)$", out, re.MULTILINE)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip() or out.strip()}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    return WrkRun(
        requests=fields["requests"],
        seconds=fields["duration_us"] / 1e6,
        errors={k: fields[k] for k in ("connect", "read", "write", "status", "timeout")},
        latency_ms={q: fields[f"{q}_us"] / 1000 for q in ("p50", "p95", "p99")},
        client_cpu=usage.ru_utime + usage.ru_stime,  # made relative by the caller
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


async def count_rows(dsn: str, table: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def wechat_token(base_url: str) -> tuple[str, str]:
    """A resident's access token, through the fake WeChat login (JIUZHU_WECHAT_MODE=fake), and
    the version of the privacy notice in force, as the mini program gets them."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/v1/auth/wechat/login", json={"code": "bench-resident"})
        response.raise_for_status()
        notice = await client.get("/api/v1/privacy-notice")
        notice.raise_for_status()
        return str(response.json()["access_token"]), str(notice.json()["version"])


def measure(wrk: str, name: str, args: argparse.Namespace, cmd: list[str], env: dict[str, str],
            path: str, table: str, data: dict[str, Any], log_path: Path,
            round_no: int) -> tuple[WrkRun, WrkRun | None]:  # fmt: skip
    """Serve ``cmd``, warm it up, then one measured wrk run (and, for the bare server, a run
    against its static ``/healthz``: what the server and wrk reach without the database)."""
    port = free_port()
    command = [*cmd, "--port", str(port), "--workers", str(args.workers)]
    per_round = int(max(args.duration, args.warmup) * args.body_rate)
    with server(command, env, port, log_path, name) as srv:
        url = srv.base_url + path
        warm_bodies, bodies = (data["work"] / f"{name}-{round_no}-{k}.jsonl" for k in "wm")
        for file in (warm_bodies, bodies):
            write_bodies(file, per_round, data["next_body"], data["communities"], data["notice"])
            data["next_body"] += per_round
        tag = f"{name}{round_no}-{uuid.uuid4().hex[:8]}"
        run_wrk(wrk, url, args, args.warmup, str(warm_bodies), data["token"], tag + "w")
        pids = run(backend_pids(data["dsn"], data["database"]))
        rows_before = run(count_rows(data["dsn"], table))
        client, server_cpu, backends = children_cpu(), srv.cpu_seconds(), pids_cpu_seconds(pids)
        result = run_wrk(wrk, url, args, args.duration, str(bodies), data["token"], tag)
        result.client_cpu -= client
        result.server_cpu = srv.cpu_seconds() - server_cpu
        pids = sorted(set(pids) | set(run(backend_pids(data["dsn"], data["database"]))))
        after = pids_cpu_seconds(pids)
        result.postgres_cpu = sum(t - backends.get(p, 0.0) for p, t in after.items())
        # Every answer counted was a 2xx (wrk counts the others as status errors), and each
        # made its row: the table grew by at least as many (the requests still in flight when
        # wrk stopped may have made theirs too).
        grown = run(count_rows(data["dsn"], table)) - rows_before
        if grown < result.requests:
            result.errors["missing rows"] = result.requests - grown
        static = None
        if path == "/bare":
            before = children_cpu()
            static = run_wrk(wrk, srv.base_url + "/healthz", args, args.static_duration, "-",
                             "-", tag)  # fmt: skip
            static.client_cpu -= before
        return result, static


def line(label: str, result: WrkRun, with_cpu: bool = True) -> str:
    lat = result.latency_ms
    text = (
        f"  {label:<30} {result.rate:8.1f} req/s   p50 {lat['p50']:6.1f} ms   "
        f"p95 {lat['p95']:6.1f} ms   fail {result.failed}   "
        f"wrk CPU {result.client_cpu / result.seconds:4.0%} of a core"
    )
    if with_cpu:
        text += (
            f"   CPU ms/req: server {result.per_request_ms(result.server_cpu):4.2f}"
            f"  postgres {result.per_request_ms(result.postgres_cpu):4.2f}"
            f"  wrk {result.per_request_ms(result.client_cpu):4.2f}"
        )
    return text


def combine(results: list[WrkRun]) -> WrkRun:
    """All rounds as one: requests and time summed, latencies the worst round's."""
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
    return WrkRun(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        errors=errors,
        latency_ms={q: max(r.latency_ms[q] for r in results) for q in ("p50", "p95", "p99")},
        client_cpu=sum(r.client_cpu for r in results),
        server_cpu=sum(r.server_cpu for r in results),
        postgres_cpu=sum(r.postgres_cpu for r in results),
    )


def submit_phase(args: argparse.Namespace, env: dict[str, str], data: dict[str, Any],
                 logs: Path) -> tuple[int, str]:  # fmt: skip
    wrk = find_wrk()
    app_cmd = ["-m", "app", "serve"]
    # The options app/cli.py serve passes to uvicorn, so both servers are configured alike.
    bare_cmd = ["-m", "uvicorn", "bench.bare_app:create_app", "--factory", "--no-access-log",
                "--no-proxy-headers"]  # fmt: skip
    port = free_port()
    with server([*app_cmd, "--port", str(port)], env, port, logs / "app.log", "app") as srv:
        data["token"], data["notice"] = run(wechat_token(srv.base_url))
    print(
        f"\n== Submit: POST /api/v1/applications vs POST /bare (one INSERT), driven by wrk ==\n"
        f"  uvicorn workers {args.workers} (both servers), {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s after {args.warmup:g} s of warm-up, {args.rounds} round(s); "
        f"app log level {args.log_level}; resident token from the fake WeChat login"
    )
    bare: list[WrkRun] = []
    full: list[WrkRun] = []
    statics: list[WrkRun] = []
    for round_no in range(1, args.rounds + 1):
        b, static = measure(wrk, "bare", args, bare_cmd, env, "/bare", "bench_bare", data,
                            logs / "bare.log", round_no)  # fmt: skip
        print(line(f"round {round_no} bare  POST /bare", b), flush=True)
        assert static is not None
        print(line(f"round {round_no} static GET /healthz", static, with_cpu=False), flush=True)
        f, _ = measure(wrk, "app", args, app_cmd, env, "/api/v1/applications", "applications",
                       data, logs / "app.log", round_no)  # fmt: skip
        print(line(f"round {round_no} full  POST /applications", f), flush=True)
        bare.append(b)
        full.append(f)
        statics.append(static)
    failures = 0
    for name, result in [*(("bare", r) for r in bare), *(("full", r) for r in full)]:
        failures += result.failed
        if result.failed:
            print(f"  FAILED ({name}): {result.errors}")
    bare_all, full_all, static_all = combine(bare), combine(full), combine(statics)
    ratio = full_all.rate / bare_all.rate if bare_all.rate else 0.0
    print(line("all rounds bare", bare_all))
    print(line("all rounds full", full_all))
    verdict = "PASS" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"  full/bare = {full_all.rate:.1f} / {bare_all.rate:.1f} = {ratio:.2f}x   "
        f"(target >= {TARGET_RATIO:.2f}x, same worker count)   {verdict}"
    )
    # CPU per request moves less with the machine's load than the rates do: the server's
    # (uvicorn, its embedded job runner included) and the database backends', for both.
    full_ms, bare_ms = (r.per_request_ms(r.server_cpu) for r in (full_all, bare_all))
    full_db, bare_db = (r.per_request_ms(r.postgres_cpu) for r in (full_all, bare_all))
    cpu_ratio = bare_ms / full_ms if full_ms else 0.0
    print(
        f"  server CPU per request: full {full_ms:.2f} ms, bare {bare_ms:.2f} ms: "
        f"bare/full = {cpu_ratio:.2f}x; with PostgreSQL's backends: full "
        f"{full_ms + full_db:.2f} ms, bare {bare_ms + bare_db:.2f} ms; load average now "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    # The client is not the bottleneck when it has CPU to spare while driving the bare server,
    # and the same wrk gets far more out of a static endpoint on the same server.
    busiest = max(r.client_cpu / r.seconds for r in [*bare, *full])
    headroom = static_all.rate / bare_all.rate if bare_all.rate else 0.0
    client_ok = busiest < CLIENT_CPU_LIMIT and headroom >= STATIC_HEADROOM
    print(
        f"  client check: wrk used at most {busiest:.0%} of a core in any run; the static "
        f"endpoint answered {static_all.rate:.0f} req/s = {headroom:.1f}x the bare rate   "
        + ("OK: the client is not the bottleneck" if client_ok else "CLIENT MAY BE THE LIMIT")
    )
    summary = (
        f"submit (wrk -c{args.connections}): full {full_all.rate:.1f} req/s "
        f"(p95 {full_all.latency_ms['p95']:.1f} ms), bare {bare_all.rate:.1f} req/s "
        f"(p95 {bare_all.latency_ms['p95']:.1f} ms), full/bare {ratio:.2f}x "
        f"(target >= {TARGET_RATIO:.2f}x) {verdict}; server CPU/request full {full_ms:.2f} ms, "
        f"bare {bare_ms:.2f} ms ({cpu_ratio:.2f}x); uvicorn workers {args.workers}; static "
        f"{static_all.rate:.0f} req/s, wrk at most {busiest:.0%} of a core"
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
    data.update(dsn=dsn, database=name, work=work, next_body=0)
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
