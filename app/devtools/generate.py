"""``python -m app generate``: a synthetic monitored population for benchmarks and the demo.

The rows come from :mod:`app.devtools.synthetic`, built by a process pool when the population
is large (encrypting every ID number is the cost) and loaded with ``COPY`` on PostgreSQL; SQLite
gets the same rows parsed back and inserted with Core ``insert()`` executemany. Ids and household
references are reserved up front from the tables' sequences, so chunks load in any order.
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from app.config import get_settings
from app.db.base import Model
from app.devtools import synthetic
from app.devtools.plan import (
    CHANGE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    LANES,
    MEMBER_COLUMNS,
    Chunk,
    Context,
    RegionRules,
    plan_households,
    split_plan,
)
from app.errors import AppError
from app.households.repository import REFERENCE_SEQUENCE
from app.kit import audit
from app.kit.actor import SYSTEM
from app.kit.sequence import next_number
from app.kit.timeutil import local_today, now
from app.models.household import CategoryChange, Household, HouseholdMember, Standard
from app.models.region import Region
from app.regions.jurisdiction import ancestors, in_subtree
from app.regions.service import LEAF_LEVELS
from app.standards.repository import StandardKind

PARALLEL_FROM = 40_000  # people; below this the pool's start-up costs more than it saves
MIN_CHUNK = 1_000  # households
# Tables whose indexes are rebuilt after a bulk load. Households keep theirs: a third as many
# rows, but a dozen indexes, most of them partial, cheaper to maintain than to rebuild.
SET_ASIDE = {"household_members", "category_changes"}


@dataclass
class Result:
    households: int = 0
    people: int = 0
    changes: int = 0
    seconds: float = 0.0
    mismatched: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def people_per_second(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


class GenerateError(AppError):
    status = 409
    code = "generate_refused"
    message = "无法生成合成数据"


async def region_rules(session: AsyncSession, root: str) -> tuple[RegionRules, ...]:
    """The communities and villages under ``root`` with the standards that may apply there."""
    leaves = (
        await session.execute(
            select(Region.code, Region.name)
            .where(in_subtree(Region.code, root), Region.level.in_(LEAF_LEVELS))
            .order_by(Region.code)
        )
    ).all()
    if not leaves:
        raise GenerateError(f"{root} 之下没有社区或村")
    chains = {code: ancestors(code) for code, _ in leaves}
    codes = {c for chain in chains.values() for c in chain}
    rows = await session.scalars(
        select(Standard)
        .where(Standard.region_code.in_(codes))
        .order_by(Standard.effective_from, Standard.id)
    )
    by_region: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for standard in rows:
        scale = 10000 if standard.kind == StandardKind.edge_multiplier else 100
        value = int((standard.value * scale).to_integral_value())
        by_region.setdefault((standard.region_code, standard.kind), []).append(
            (standard.effective_from.toordinal(), value)
        )
    rules = []
    for code, name in leaves:
        history = {
            kind.value: tuple(
                tuple(by_region[(c, kind.value)])
                for c in chains[code]
                if (c, kind.value) in by_region
            )
            for kind in StandardKind
        }
        rules.append(RegionRules(code, name, history))
    return tuple(rules)


async def _reserve(session: AsyncSession, table: str, count: int) -> int:
    """The first of ``count`` fresh ids of ``table``."""
    if session.get_bind().dialect.name == "postgresql":
        last = await session.scalar(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                "nextval(pg_get_serial_sequence(:t, 'id')) + :n - 1)"
            ),
            {"t": table, "n": max(count, 1)},
        )
        return int(last or 0) - max(count, 1) + 1
    ids = {
        "households": Household.id,
        "household_members": HouseholdMember.id,
        "category_changes": CategoryChange.id,
    }[table]
    return int(await session.scalar(select(func.coalesce(func.max(ids), 0))) or 0) + 1


async def _reserve_references(session: AsyncSession, count: int) -> int:
    """The first of ``count`` household reference numbers, from the registry's counter."""
    return await next_number(session, REFERENCE_SEQUENCE, count)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(
        ("id", "household_id", "cause_mask", "members_count", "version", "disability_grade"),
        int,
    ),
    **dict.fromkeys(
        (
            "medical_spending",
            "education_spending",
            "monthly_income_total",
            "monthly_income",
            "monthly_amount",
            "standard_value",
        ),
        Decimal,
    ),
    **dict.fromkeys(
        ("has_severe_member", "severe_illness", "chronic_illness", "active"),
        lambda v: v == "t",
    ),
    **dict.fromkeys(("category_since", "birth_date", "effective_date"), date.fromisoformat),
    **dict.fromkeys(("created_at", "updated_at", "applied_at"), datetime.fromisoformat),
    **dict.fromkeys(("causes", "income_sources"), json.loads),
}


def _parser(columns: tuple[str, ...]) -> Callable[[str], dict[str, Any]]:
    """COPY text back to typed values, for the SQLite path."""
    converters = [_CONVERTERS.get(name, str) for name in columns]

    def parse(line: str) -> dict[str, Any]:
        return {
            name: None if value == "\\N" else convert(value)
            for name, convert, value in zip(columns, converters, line.split("\t"), strict=True)
        }

    return parse


_TABLES: tuple[tuple[str, Table, tuple[str, ...]], ...] = tuple(
    (model.__tablename__, Model.metadata.tables[model.__tablename__], columns)
    for model, columns in (
        (Household, HOUSEHOLD_COLUMNS),
        (HouseholdMember, MEMBER_COLUMNS),
        (CategoryChange, CHANGE_COLUMNS),
    )
)


async def _copy(session: AsyncSession, payloads: tuple[bytes, bytes, bytes]) -> None:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    for (name, _table, columns), data in zip(_TABLES, payloads, strict=True):
        if not data:
            continue

        async def once(payload: bytes = data) -> AsyncIterator[bytes]:
            yield payload

        await driver.copy_to_table(name, source=once(), columns=list(columns), format="text")


async def _insert(session: AsyncSession, texts: tuple[str, str, str]) -> None:
    for (_name, table, columns), data in zip(_TABLES, texts, strict=True):
        parse = _parser(columns)
        rows = [parse(line) for line in data.splitlines()]
        if rows:
            await session.execute(insert(table), rows)


async def _set_aside_indexes(session: AsyncSession) -> list[Any]:
    """Bulk-load recipe for an empty registry on PostgreSQL ("Populating a Database" in its
    manual): drop the secondary indexes and foreign keys of the big tables for the load and
    build them once afterwards, a sort instead of a million index insertions. Inside the
    transaction, so a failure puts everything back; the tables are locked meanwhile."""
    restore: list[Any] = []
    for name, table, _columns in _TABLES:
        if name not in SET_ASIDE:
            continue
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            await session.execute(DropIndex(index))
            restore.append(CreateIndex(index))
        for constraint in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
            await session.execute(DropConstraint(constraint))
            restore.append(AddConstraint(constraint))
    return restore


async def _restore_indexes(session: AsyncSession, restore: list[Any]) -> None:
    await session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for statement in restore:
        await session.execute(statement)


async def _existing_hashes(session: AsyncSession) -> frozenset[str]:
    """ID hashes already in the registry, so a second run makes no one twice."""
    if await session.scalar(select(HouseholdMember.id).limit(1)) is None:
        return frozenset()
    return frozenset(await session.scalars(select(HouseholdMember.id_hash)))


async def generate(
    session: AsyncSession,
    people: int,
    *,
    root: str = "510115000000",
    seed: int = 2026,
    workers: int | None = None,
    on: date | None = None,
) -> Result:
    """Add ``people`` synthetic monitored people under ``root``; flushes, the caller commits."""
    started = time.perf_counter()
    result = Result()
    if people <= 0:
        return result
    on = on or local_today()
    regions = await region_rules(session, root)
    lacking = [r.code for r in regions if r.at(StandardKind.dibao, on) is None]
    if lacking:
        raise GenerateError(f"{lacking[0]} 等地区在 {on.isoformat()} 没有执行中的低保标准")
    settings = get_settings()
    postgres = session.get_bind().dialect.name == "postgresql"
    context = Context(
        on=on,
        regions=regions,
        reference_prefix=settings.reference_prefix,
        created_at=now().isoformat(sep=" "),
        data_key=settings.data_key,
        old_keys=tuple(settings.old_data_key_list),
        existing_hashes=await _existing_hashes(session),
    )
    planned = plan_households(people, random.Random(seed))
    households = len(planned)
    chunks = split_plan(
        planned,
        seed=seed,
        first_household_id=await _reserve(session, "households", households),
        first_member_id=await _reserve(session, "household_members", people),
        first_change_id=await _reserve(session, "category_changes", households),
        first_reference=await _reserve_references(session, households),
        per_chunk=max(MIN_CHUNK, math.ceil(households / LANES)),
    )
    result.timings["plan"] = time.perf_counter() - started
    workers = workers if workers is not None else (multiprocessing.cpu_count() or 1)
    empty = await session.scalar(select(Household.id).limit(1)) is None
    bulk = postgres and people >= PARALLEL_FROM and empty
    restore = await _set_aside_indexes(session) if bulk else []
    parallel = postgres and workers > 1 and people >= PARALLEL_FROM and len(chunks) > 1
    if parallel:
        await _load_in_parallel(session, context, chunks, workers, result)
    else:
        synthetic.init_worker(context)
        try:
            for chunk in chunks:
                rows = synthetic.build_chunk(chunk)
                result.people += rows.people
                texts = (rows.households, rows.members, rows.changes)
                if postgres:
                    await _copy(session, (texts[0].encode(), texts[1].encode(), texts[2].encode()))
                else:
                    await _insert(session, texts)
                result.changes += rows.changes.count("\n")
        finally:
            synthetic.init_worker(None)
    result.timings["load"] = time.perf_counter() - started
    if restore:
        await _restore_indexes(session, restore)
        result.timings["indexes"] = time.perf_counter() - started
    result.households = households
    result.mismatched = sum(1 for _, _, out_of_step in planned if out_of_step)
    await _finish(session, result)
    result.seconds = time.perf_counter() - started
    return result


async def _load_in_parallel(
    session: AsyncSession,
    context: Context,
    chunks: list[Chunk],
    workers: int,
    result: Result,
) -> None:
    """Workers build chunks while this process copies finished ones into the database."""
    loop = asyncio.get_running_loop()
    # fork: no re-import of the caller's __main__ (``python -m app`` would run the CLI again),
    # and the context reaches the workers without pickling. The children touch no connection.
    methods = multiprocessing.get_all_start_methods()
    start = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=start,
        initializer=synthetic.init_worker,
        initargs=(context,),
    ) as pool:
        pending: deque[Future[tuple[bytes, bytes, bytes, int]]] = deque()
        queue = iter(chunks)
        for chunk in queue:
            pending.append(pool.submit(synthetic.build_chunk_bytes, chunk))
            if len(pending) >= workers * 2:
                break
        waited = copying = 0.0
        while pending:
            future = pending.popleft()
            mark = time.perf_counter()
            households, members, changes, count = await asyncio.wrap_future(future, loop=loop)
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(synthetic.build_chunk_bytes, following))
            waited += time.perf_counter() - mark
            mark = time.perf_counter()
            await _copy(session, (households, members, changes))
            copying += time.perf_counter() - mark
            result.people += count
            result.changes += changes.count(b"\n")
        result.timings["waiting for workers"] = waited
        result.timings["copying"] = copying


async def analyze(session: AsyncSession) -> None:
    """Fresh planner statistics after a large load, before autovacuum gets to it (PostgreSQL;
    best run after the load has committed)."""
    if session.get_bind().dialect.name == "postgresql":
        for name in ("households", "household_members", "category_changes", "regions"):
            await session.execute(text(f"ANALYZE {name}"))


async def _finish(session: AsyncSession, result: Result) -> None:
    await audit.record(
        session,
        SYSTEM,
        "registry.generate",
        "household",
        None,
        {"households": result.households, "people": result.people, "changes": result.changes},
    )
    await session.flush()
