"""``python -m app COMMAND``: migrate, import-regions, seed-demo, create-staff, create-agency,
staff ..., agency ..., serve, worker, jobs, rotate-data-key, generate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.admin.cli import agency_cli, staff_cli
from app.config import ConfigError, Environment, get_settings
from app.jobs.cli import jobs_cli
from app.kit.cli import fail as _fail
from app.kit.cli import run as _run

GRACEFUL_SHUTDOWN_SECONDS = 10

cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Jiuzhu 救助 platform",
)
cli.add_typer(jobs_cli, name="jobs")
cli.add_typer(staff_cli, name="staff")
cli.add_typer(agency_cli, name="agency")
calendar_cli = typer.Typer(no_args_is_help=True, help="The working-day calendar")
cli.add_typer(calendar_cli, name="calendar")


@calendar_cli.command("seed")
def calendar_seed() -> None:
    """Add the years the installed chinesecalendar package knows and the table does not (a
    year already recorded, seeded or entered by an admin, is kept); safe to run twice."""
    from app.calendar.service import seed_from_package
    from app.db.session import session_scope

    async def work() -> list[int]:
        async with session_scope() as session:
            return await seed_from_package(session)

    added = _run(work)
    typer.echo(f"years added: {', '.join(map(str, added)) or 'none'}")


@cli.command()
def migrate() -> None:
    """Bring the database to the newest Alembic revision."""
    from app.db.migrate import upgrade

    typer.echo(str(upgrade()))


@cli.command("import-regions")
def import_regions(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Load a region tree from a CSV (code,name,level,parent_code); safe to run twice."""
    from app.db.session import session_scope
    from app.regions.service import RegionImportError, import_regions, parse_regions_csv

    try:
        rows = parse_regions_csv(file)
    except RegionImportError as exc:
        _fail(str(exc))

    async def work() -> int:
        async with session_scope() as session:
            return await import_regions(session, rows)

    typer.echo(f"{_run(work)} regions loaded")


@cli.command("seed-demo")
def seed_demo() -> None:
    """Load the Wenjiang region tree and demo data; safe to run twice."""
    from app.db.session import session_scope
    from app.devtools.demo import DEMO_PASSWORD, seed_demo

    if get_settings().env == Environment.production:
        _fail("seed-demo creates demo accounts and is refused in production")

    async def work() -> dict[str, int]:
        async with session_scope() as session:
            return await seed_demo(session)

    counts = _run(work)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    typer.echo(f"demo staff password: {DEMO_PASSWORD}")


@cli.command("create-staff")
def create_staff(
    username: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option()],
    region: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a staff account."""
    from app.accounts.service import create_staff as create
    from app.db.session import session_scope
    from app.errors import AppError

    async def work() -> int:
        async with session_scope() as session:
            staff = await create(
                session,
                username=username,
                password=password,
                role=role,
                region_code=region,
                display_name=display_name,
            )
            return staff.id

    try:
        staff_id = _run(work)
    except AppError as exc:
        _fail(exc.message)
    typer.echo(f"staff {username} created with id {staff_id}")


@cli.command("create-agency")
def create_agency(
    name: Annotated[str, typer.Option()],
    region: Annotated[str, typer.Option()],
) -> None:
    """Register an agency; its API key is printed once, alone on the last line."""
    from app.accounts.service import create_agency as create
    from app.db.session import session_scope
    from app.errors import AppError

    async def work() -> tuple[int, str]:
        async with session_scope() as session:
            agency, key = await create(session, name=name, region_code=region)
            return agency.id, key

    try:
        agency_id, key = _run(work)
    except AppError as exc:
        _fail(exc.message)
    typer.echo(f"agency {name} created with id {agency_id}; its API key (shown only once):")
    typer.echo(key)


@cli.command("rotate-data-key")
def rotate_data_key() -> None:
    """Re-encrypt and re-hash personal data under the current JIUZHU_DATA_KEY
    (the previous keys listed in JIUZHU_OLD_DATA_KEYS)."""
    from app.db.session import session_scope
    from app.kit.rotation import rotate
    from app.sealed import sealed_columns

    async def work() -> dict[str, int]:
        async with session_scope() as session:
            return await rotate(session, sealed_columns())

    counts = _run(work)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()) or "nothing to rotate")


@cli.command("purge-idempotency")
def purge_idempotency() -> None:
    """Delete Idempotency-Key records older than 24 hours (run daily)."""
    from app.db.session import session_scope
    from app.kit.idempotency import purge_expired

    async def work() -> int:
        async with session_scope() as session:
            return await purge_expired(session)

    typer.echo(f"{_run(work)} expired idempotency records deleted")


@cli.command()
def scan() -> None:
    """Run every enabled warning rule over the whole district now; prints what each opened."""
    from app.db.session import session_scope
    from app.monitoring.warnings.scans import full_scan

    async def work() -> tuple[int, int, dict[str, int]]:
        async with session_scope() as session:
            done = await full_scan(session)
            return done.id, done.warnings_opened, done.opened_by_rule

    scan_id, opened, by_rule = _run(work)
    for code, count in sorted(by_rule.items()):
        typer.echo(f"{code}: {count}")
    typer.echo(f"scan {scan_id}: {opened} warnings opened")


@cli.command()
def generate(
    people: Annotated[int, typer.Option(min=1, help="how many people to make")],
    database_url: Annotated[str | None, typer.Option(help="instead of JIUZHU_DATABASE_URL")] = None,
    region: Annotated[str, typer.Option(help="spread them over this region's communities")] = (
        "510115000000"
    ),
    seed: Annotated[int, typer.Option()] = 2026,
    workers: Annotated[int | None, typer.Option(help="processes; default one per CPU")] = None,
) -> None:
    """Add a synthetic monitored population (benchmarks); prints people per second."""
    import os
    import time

    if database_url:
        os.environ["JIUZHU_DATABASE_URL"] = database_url
        get_settings.cache_clear()
    if get_settings().env == Environment.production:
        _fail("generate makes synthetic people and is refused in production")
    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import Result, analyze
    from app.devtools.generate import generate as make
    from app.errors import AppError
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    async def work() -> tuple[Result, float]:
        async with session_scope() as session:
            await import_regions(session, parse_regions_csv(BUILTIN_CSV))
            await ensure_demo_standards(session)
        started = time.perf_counter()
        async with session_scope() as session:
            result = await make(session, people, root=region, seed=seed, workers=workers)
        seconds = time.perf_counter() - started
        async with session_scope() as session:
            await analyze(session)
        return result, seconds

    try:
        result, seconds = _run(work)
    except AppError as exc:
        _fail(exc.message)
    typer.echo(
        f"{result.people} people in {result.households} households "
        f"({result.changes} enrolments, {result.mismatched} out of step) in {seconds:.2f} s: "
        f"{result.people / seconds:,.0f} people/s"
    )


@cli.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    source: Annotated[str, typer.Option(help="medical, death, disability, unemployment, ...")],
) -> None:
    """Import an agency's file (CSV in UTF-8 or GBK, or XLSX) for a source, to the end."""
    from app.errors import AppError
    from app.monitoring.service import import_file as run

    try:
        status, record = _run(lambda: run(file, source))
    except AppError as exc:
        _fail(f"{exc.code}: {exc.message}")
    if status == 200:
        typer.echo(f"import {record.id}: the same file was imported before ({record.status})")
        return
    typer.echo(
        f"import {record.id} {record.status} ({record.encoding}): {record.rows_read} rows read, "
        f"{record.matched} matched, {record.unmatched} unmatched, {record.rejected} rejected, "
        f"{record.duplicates} already imported, {record.warnings_opened} warnings opened"
    )
    for error in record.errors[:20]:
        typer.echo(f"  row {error['row']} {error['column']}: {error['reason']}")
    if record.errors_total > 20:
        typer.echo(f"  ... {record.errors_total - 20} more rejected rows")
    if record.status == "failed":
        _fail(f"{record.failure_code}: {record.failure_message}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="run the job runner inside the server (default: JIUZHU_RUN_WORKER, true)",
        ),
    ] = None,
) -> None:
    """Run the API with uvicorn (and, unless --no-worker, a job runner inside it); with
    --workers N under uvicorn's supervisor, which restarts a worker that dies, and whose
    workers exit when it is killed (see app/serve.py)."""
    import os

    import uvicorn

    from app.serve import SUPERVISOR_ENV

    if worker is not None:
        # Read by each uvicorn worker process's settings.
        os.environ["JIUZHU_RUN_WORKER"] = "true" if worker else "false"
        get_settings.cache_clear()
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    uvicorn.run(
        "app.serve:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


@cli.command("worker")
def run_worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="jobs at once (default JIUZHU_WORKER_CONCURRENCY)"),
    ] = None,
) -> None:
    """Run background jobs until SIGTERM or SIGINT, finishing the jobs in hand."""
    from app.jobs.runner import Runner, run_until_signalled
    from app.logging import configure_logging
    from app.tasks import HANDLERS, PERIODIC

    configure_logging(get_settings().log_level)
    runner = Runner.from_settings(HANDLERS, PERIODIC, concurrency=concurrency)
    _run(lambda: run_until_signalled(runner))


def main() -> None:
    try:
        get_settings()
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise SystemExit(2) from exc
    cli()
