"""``python -m app staff ...`` and ``python -m app agency ...``: the account life cycle from the
server's shell, acting as the system (whole database, audited as ``system``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.cli import fail, run

T = TypeVar("T")

staff_cli = typer.Typer(no_args_is_help=True, help="Staff accounts: list, disable, enable, reset.")
agency_cli = typer.Typer(no_args_is_help=True, help="Agencies: list, rotate or revoke a key.")


def _in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction; a domain error becomes a one-line failure."""
    from app.db.session import session_scope
    from app.errors import AppError

    async def scoped() -> T:
        async with session_scope() as session:
            return await work(session)

    try:
        return run(scoped)
    except AppError as exc:
        fail(exc.message)


def _when(value: datetime | None) -> str:
    from app.kit.timeutil import to_local

    return to_local(value).isoformat(timespec="seconds") if value else "never"


@staff_cli.command("list")
def list_staff(
    role: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option(help="this region and below")] = None,
    active: Annotated[bool | None, typer.Option("--active/--disabled")] = None,
) -> None:
    """Staff accounts with role, region, state and last login, one a line."""
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> list[str]:
        rows = await service.list_staff(
            session,
            SYSTEM,
            role=role,
            region_code=region,
            active=active,
            limit=100_000,
        )
        return [
            f"{s.id}\t{s.username}\t{s.role}\t{s.region_code}\t"
            f"{'active' if s.active else 'disabled'}\t{_when(s.last_login_at)}\t{s.display_name}"
            for s in rows
        ]

    typer.echo("id\tusername\trole\tregion\tstate\tlast_login\tdisplay_name")
    for line in _in_session(work):
        typer.echo(line)


def _set_active(username: str, active: bool) -> None:
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> None:
        staff = await service.staff_by_username(session, SYSTEM, username)
        await service.update_staff(session, SYSTEM, staff.id, {"active": active})

    _in_session(work)
    typer.echo(f"staff {username} {'enabled' if active else 'disabled (sessions ended)'}")


@staff_cli.command()
def disable(username: str) -> None:
    """Disable an account: its sessions end at once and it can no longer log in."""
    _set_active(username, False)


@staff_cli.command()
def enable(username: str) -> None:
    """Enable a disabled account again."""
    _set_active(username, True)


@staff_cli.command("reset-password")
def reset_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a new password (asked for when not given); the account's sessions end."""
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> None:
        staff = await service.staff_by_username(session, SYSTEM, username)
        await service.reset_password(session, SYSTEM, staff.id, password)

    _in_session(work)
    typer.echo(f"password of staff {username} reset (sessions ended)")


@agency_cli.command("list")
def list_agencies() -> None:
    """Agencies with region, key prefix and key state, one a line."""
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> list[str]:
        rows = await service.list_agencies(session, SYSTEM, limit=100_000)
        return [
            f"{a.id}\t{a.name}\t{a.region_code}\t{a.key_prefix}\t"
            f"{'revoked' if a.key_revoked_at else 'live'}"
            for a in rows
        ]

    typer.echo("id\tname\tregion\tkey_prefix\tkey")
    for line in _in_session(work):
        typer.echo(line)


@agency_cli.command("rotate-key")
def rotate_key(agency_id: int) -> None:
    """Issue a new API key (printed once, alone on the last line); the old one stops working."""
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> str:
        _agency, key = await service.rotate_agency_key(session, SYSTEM, agency_id)
        return key

    key = _in_session(work)
    typer.echo(f"agency {agency_id}: new API key (shown only once):")
    typer.echo(key)


@agency_cli.command("revoke-key")
def revoke_key(agency_id: int) -> None:
    """Revoke the agency's API key: its next call is refused."""
    from app.admin import service
    from app.kit.actor import SYSTEM

    async def work(session: AsyncSession) -> None:
        await service.revoke_agency_key(session, SYSTEM, agency_id)

    _in_session(work)
    typer.echo(f"agency {agency_id}: API key revoked")
