"""``python -m app jobs list|retry``: the admin endpoints' twins on the command line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from app.models.job import JOB_STATUSES

T = TypeVar("T")
jobs_cli = typer.Typer(no_args_is_help=True, help="Background jobs: list, retry a parked one")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    async def wrapped() -> T:
        from app.db.session import dispose_engine

        try:
            return await work()
        finally:
            await dispose_engine()

    return asyncio.run(wrapped())


@jobs_cli.command("list")
def list_jobs(
    status: Annotated[str | None, typer.Option(help="queued, running, done or parked")] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Jobs newest first: id, kind, status, attempts, when it runs, the last error."""
    from app.db.session import session_scope
    from app.jobs import service
    from app.kit.timeutil import to_local

    if status is not None and status not in JOB_STATUSES:
        typer.echo(f"error: --status must be one of {', '.join(JOB_STATUSES)}", err=True)
        raise typer.Exit(code=1)

    async def work() -> list[str]:
        async with session_scope() as session:
            jobs = await service.list_jobs(
                session, status=status, kind=kind, before_id=None, limit=limit
            )
        return [
            f"{j.id}\t{j.kind}\t{j.status}\t{j.attempts}/{j.max_attempts}\t"
            f"{to_local(j.run_at).isoformat(timespec='seconds')}\t{j.last_error or ''}"
            for j in jobs
        ]

    lines = _run(work)
    typer.echo("\n".join(lines) if lines else "no jobs")


@jobs_cli.command("retry")
def retry(job_id: Annotated[int, typer.Argument(min=1)]) -> None:
    """Queue a parked job again, its attempts reset (audited as the system)."""
    from app.db.session import session_scope
    from app.errors import AppError
    from app.jobs import service
    from app.kit.actor import SYSTEM

    async def work() -> str:
        async with session_scope() as session:
            return (await service.retry(session, SYSTEM, job_id)).kind

    try:
        kind = _run(work)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"job {job_id} ({kind}) queued again")
