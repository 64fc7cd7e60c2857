"""SQL of the monitoring imports: the import rows, the staging table of an import in progress
and the one set-based statement that lands it in ``signals``."""

from __future__ import annotations

import sys
from array import array
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden
from app.kit.actor import Actor
from app.models.monitoring import MonitoringImport, Signal
from app.monitoring.rows import STAGED_COLUMNS

STAGING = "monitoring_import_staging"


def readable_statement(actor: Actor) -> Select[MonitoringImport]:
    """Imports the actor may see: the district's officers and auditors (an import is the
    whole district's data, not one community's); nobody else."""
    if actor.kind in ("staff", "system") and (
        actor.kind == "system" or has_scope(actor.role, Scope.monitoring_read)
    ):
        return select(MonitoringImport)
    raise Forbidden("仅限区级工作人员查看数据导入", code="scope_denied")


async def readable(session: AsyncSession, actor: Actor, import_id: int) -> MonitoringImport | None:
    return await session.scalar(readable_statement(actor).where(MonitoringImport.id == import_id))


async def page(
    session: AsyncSession, actor: Actor, limit: int, before: int | None, source: str | None
) -> list[MonitoringImport]:
    """Newest first, keyset on id; one more than ``limit`` to tell whether a page follows."""
    stmt = readable_statement(actor)
    if before is not None:
        stmt = stmt.where(MonitoringImport.id < before)
    if source:
        stmt = stmt.where(MonitoringImport.source == source)
    rows = await session.scalars(stmt.order_by(MonitoringImport.id.desc()).limit(limit + 1))
    return list(rows)


async def by_file(session: AsyncSession, source: str, sha256: str) -> MonitoringImport | None:
    return await session.scalar(
        select(MonitoringImport).where(
            MonitoringImport.source == source, MonitoringImport.file_sha256 == sha256
        )
    )


async def get(session: AsyncSession, import_id: int) -> MonitoringImport | None:
    return await session.get(MonitoringImport, import_id)


async def set_fields(conn: AsyncConnection | AsyncSession, import_id: int, **values: Any) -> None:
    await conn.execute(
        update(MonitoringImport).where(MonitoringImport.id == import_id).values(**values)
    )


async def claim(conn: AsyncConnection, import_id: int, at: datetime, *, resume: bool) -> bool:
    """queued (or, with ``resume``, running: taken over after a crash) → running, counts
    reset; False if it is finished (or running and not resumed)."""
    result = await conn.execute(
        update(MonitoringImport)
        .where(
            MonitoringImport.id == import_id,
            MonitoringImport.status.in_(("queued", "running") if resume else ("queued",)),
        )
        .values(
            status="running",
            started_at=at,
            rows_read=0,
            rejected=0,
            matched=0,
            unmatched=0,
            duplicates=0,
            errors=[],
            errors_total=0,
        )
    )
    return bool(result.rowcount)


async def known_hash_prefixes(conn: AsyncConnection) -> array[int] | None:
    """PostgreSQL: the first 64 bits of every member's keyed hash, sorted, unsigned (8 bytes a
    person: 8 MB for a million). SQLite (small imports): None, every row's ID number is
    encrypted."""
    if conn.dialect.name != "postgresql":
        return None
    # One value: the prefixes as big-endian bytes in order (hex sorts as the numbers do
    # under the C collation), so a million people cost 8 MB and no Python object each.
    packed = await conn.scalar(
        text(
            "SELECT decode(coalesce(string_agg(substr(id_hash, 1, 16), '' "
            "ORDER BY id_hash COLLATE \"C\"), ''), 'hex') FROM household_members"
        )
    )
    prefixes: array[int] = array("Q")
    prefixes.frombytes(bytes(packed or b""))
    if sys.byteorder == "little":
        prefixes.byteswap()
    return prefixes


# The staging table lives as long as the importing connection (TEMP): nobody else sees it.
_STAGING_COLUMNS = {
    "row_number": "INTEGER",
    "row_digest": "VARCHAR(64)",
    "person_hash": "VARCHAR(64)",
    "person_id_enc": "TEXT",
    "person_id_masked": "VARCHAR(18)",
    "person_name": "VARCHAR(50)",
    "region_code": "VARCHAR(12)",
    "address": "VARCHAR(200)",
    "occurred_on": "DATE",
    "amount": "NUMERIC(14, 2)",
    "quantity": "INTEGER",
    "flag": "VARCHAR(24)",
    "detail": "TEXT",
}
assert tuple(_STAGING_COLUMNS) == STAGED_COLUMNS


async def create_staging(conn: AsyncConnection) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in _STAGING_COLUMNS.items())
    await conn.execute(text(f"DROP TABLE IF EXISTS {STAGING}"))
    await conn.execute(text(f"CREATE TEMPORARY TABLE {STAGING} ({columns})"))


async def clear_staging(conn: AsyncConnection) -> None:
    """Empty the staging table (its block has landed), in the import's transaction."""
    await conn.execute(text(f"TRUNCATE {STAGING}"))


async def drop_staging(conn: AsyncConnection) -> None:
    await conn.execute(text(f"DROP TABLE IF EXISTS {STAGING}"))


async def copy_staged(conn: AsyncConnection, payload: bytes) -> None:
    """PostgreSQL: one block of staged records (CSV) through COPY."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None

    async def once() -> Any:
        yield payload

    await driver.copy_to_table(STAGING, source=once(), columns=list(STAGED_COLUMNS), format="csv")


_INSERT_STAGED = text(
    f"INSERT INTO {STAGING} ({', '.join(STAGED_COLUMNS)}) "  # noqa: S608 - fixed names
    f"VALUES ({', '.join(':' + c for c in STAGED_COLUMNS)})"
)


async def insert_staged(conn: AsyncConnection, records: list[tuple[Any, ...]]) -> None:
    """SQLite: one block of staged records in one executemany."""
    if records:
        await conn.execute(
            _INSERT_STAGED, [dict(zip(STAGED_COLUMNS, r, strict=True)) for r in records]
        )


def _land_statement(dialect: str) -> str:
    detail = "CAST(s.detail AS JSON)" if dialect == "postgresql" else "s.detail"
    active = "m.active" if dialect == "postgresql" else "m.active = 1"
    # Matched rows link to the member, whose ID number is already encrypted there; only
    # unmatched rows keep one (needed to act on someone not yet monitored): their own, or, for
    # a person of the registry who is in no active household, that of their member record.
    return f"""
INSERT INTO signals (source, import_id, row_number, row_digest, person_hash, person_id_enc,
    person_id_masked, person_name, household_id, member_id, region_code, address, occurred_on,
    amount, quantity, flag, detail, created_at)
SELECT :source, :import_id, s.row_number, s.row_digest, s.person_hash,
    CASE WHEN p.member_id IS NULL THEN COALESCE(s.person_id_enc, (
        SELECT k.id_enc FROM household_members k WHERE k.id_hash = s.person_hash LIMIT 1
    )) END,
    s.person_id_masked, s.person_name, p.household_id, p.member_id,
    COALESCE(s.region_code, p.region_code), s.address, s.occurred_on,
    s.amount, s.quantity, s.flag, {detail}, :now
FROM {STAGING} s
LEFT JOIN (
    SELECT m.id AS member_id, m.household_id, m.id_hash, h.region_code
    FROM household_members m JOIN households h ON h.id = m.household_id
    WHERE {active} AND h.status = 'active'
) p ON p.id_hash = s.person_hash
WHERE 1 = 1
ON CONFLICT (person_hash, source, occurred_on, row_digest) DO NOTHING
"""  # noqa: S608 - fixed table names and dialect fragments, no input


async def land(
    conn: AsyncConnection | AsyncSession, source: str, import_id: int, at: datetime
) -> None:
    """Every staged row into ``signals`` in one statement, matched to the active member with
    the same keyed hash; a row already there (same source and content) is skipped."""
    bind = conn.get_bind() if isinstance(conn, AsyncSession) else conn
    dialect = bind.dialect.name
    await conn.execute(
        text(_land_statement(dialect)), {"source": source, "import_id": import_id, "now": at}
    )


async def landed_counts(conn: AsyncConnection | AsyncSession, import_id: int) -> tuple[int, int]:
    """(matched, unmatched) signals this import landed."""
    row = (
        await conn.execute(
            select(func.count(), func.count(Signal.member_id)).where(Signal.import_id == import_id)
        )
    ).one()
    total, matched = int(row[0]), int(row[1])
    return matched, total - matched


# Landing this many rows at once makes the planner's statistics of ``signals`` stale enough to
# mislead the rules that run next (autovacuum would catch up, but later): they are refreshed
# in the import's transaction.
ANALYZE_FROM = 100_000


async def refresh_statistics(session: AsyncSession, landed: int) -> None:
    """PostgreSQL, after a large landing: ``ANALYZE signals`` (a sample, a fraction of a
    second at a million rows)."""
    if landed >= ANALYZE_FROM and session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ANALYZE signals"))
