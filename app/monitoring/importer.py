"""Running one import: the file is read in blocks, each block checked and converted by a pool
of processes, and its progress committed on the import row after every block. On PostgreSQL
each block is COPYed into a staging table and landed in ``signals`` at once, inside the one
transaction that ends with the rule evaluation for the people touched (the database lands a
block while the pool parses the next); on SQLite (and the plain path) the blocks are staged by
executemany and landed by one statement at the end, in the same kind of transaction. A failure
lands nothing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.config import get_settings
from app.db.session import get_engine
from app.errors import AppError
from app.kit.timeutil import local_today, now
from app.models.monitoring import MonitoringImport
from app.monitoring import reader, repository, rows
from app.monitoring.flows import evaluate_after_import

log = structlog.get_logger()

PARALLEL_FROM = 4 * reader.BLOCK_BYTES  # smaller files are parsed in-process


def _workers() -> int:
    configured = get_settings().import_workers
    return configured or (multiprocessing.cpu_count() or 1)


def _parallel(path: Path) -> bool:
    """Whether a file is parsed by the pool: big enough, and more than one CPU."""
    return _workers() >= 2 and path.stat().st_size >= PARALLEL_FROM


async def _parsed_blocks(
    path: Path,
    info: reader.FileInfo,
    layout: rows.Layout,
    as_copy: bool,
    parallel: bool,
) -> AsyncIterator[rows.Parsed]:
    """Parsed blocks in file order; a pool keeps at most two blocks per worker in flight, so
    memory stays flat however long the file."""
    workers = _workers()
    if not parallel:
        rows.init_worker(layout, info.codec)
        for data, first_row in reader.blocks(path, info):
            yield rows.work_block(data, first_row, as_copy)
        return
    loop = asyncio.get_running_loop()
    # fork: the workers inherit the settings and keys without pickling, and run no CLI again.
    methods = multiprocessing.get_all_start_methods()
    start = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=max(workers, 2),
        mp_context=start,
        initializer=rows.init_worker,
        initargs=(layout, info.codec),
    ) as pool:
        pending: deque[Future[rows.Parsed]] = deque()
        source = reader.blocks(path, info)
        for data, first_row in source:
            pending.append(pool.submit(rows.work_block, data, first_row, as_copy))
            if len(pending) >= max(workers, 2) * 2:
                break
        while pending:
            parsed = await asyncio.wrap_future(pending.popleft(), loop=loop)
            following = next(source, None)
            if following is not None:
                pending.append(pool.submit(rows.work_block, following[0], following[1], as_copy))
            yield parsed


class _Progress:
    def __init__(self) -> None:
        self.landed = False  # already in ``signals`` (PostgreSQL's block-by-block landing)
        self.rows_read = 0
        self.rejected = 0
        self.errors: list[dict[str, Any]] = []
        self.errors_total = 0

    def add(self, parsed: rows.Parsed) -> None:
        self.rows_read += parsed.rows_read
        self.rejected += parsed.rejected
        self.errors_total += parsed.rejected
        room = rows.ERRORS_KEPT - len(self.errors)
        if room > 0:
            self.errors.extend(parsed.errors[:room])

    def values(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rejected": self.rejected,
            "errors": self.errors,
            "errors_total": self.errors_total,
        }


async def _stage(
    conn: AsyncConnection,
    record: MonitoringImport,
    path: Path,
    info: reader.FileInfo,
    *,
    fast: bool = True,
    parallel: bool | None = None,
) -> _Progress:
    """Every row of the file checked and staged. ``fast`` (always, but in a test): a big
    file's blocks parsed by a process pool (``parallel`` None: by size) and, on PostgreSQL,
    staged by COPY and landed block by block (:func:`_stage_and_land`). ``fast=False``: the
    plain path, parsed here and staged by executemany, which SQLite always takes for staging;
    both stage the same rows and report the same errors
    (``tests/monitoring/test_import_paths.py``)."""
    copy = fast and conn.dialect.name == "postgresql"
    parallel = _parallel(path) if fast and parallel is None else fast and bool(parallel)
    # A file big enough for the pool skips encrypting the ID numbers of people already in the
    # registry; reading every member's hash for that costs more than encrypting a small
    # file's rows (0.9 s at a million people, against 1.5 µs a row).
    known = await repository.known_hash_prefixes(conn) if parallel else None
    layout = rows.Layout(record.source, info.trailing, local_today(), known)
    blocks = _parsed_blocks(path, info, layout, as_copy=copy, parallel=parallel)
    if copy:
        return await _stage_and_land(conn, record, blocks)
    progress = _Progress()
    await repository.create_staging(conn)
    await conn.commit()
    async for parsed in blocks:
        await repository.insert_staged(conn, parsed.records)
        progress.add(parsed)
        # Progress is visible while the import runs: one short transaction per block.
        await repository.set_fields(conn, record.id, **progress.values())
        await conn.commit()
    return progress


async def _stage_and_land(
    conn: AsyncConnection, record: MonitoringImport, blocks: AsyncIterator[rows.Parsed]
) -> _Progress:
    """PostgreSQL: each block COPYed into the staging table and landed in ``signals`` at once,
    all in ``conn``'s one transaction (committed by the caller with the rules, or rolled
    back: a failure lands nothing), so the database lands a block while the pool parses the
    next ones. The progress is committed block by block on a second connection."""
    progress = _Progress()
    at = now()
    await repository.create_staging(conn)
    async with get_engine().connect() as reporting:
        async for parsed in blocks:
            await repository.copy_staged(conn, parsed.records[0][0])
            progress.add(parsed)
            await repository.set_fields(reporting, record.id, **progress.values())
            await reporting.commit()
            await repository.land(conn, record.source, record.id, at)
            await repository.clear_staging(conn)
    progress.landed = True
    return progress


async def run_import(
    import_id: int, *, resume: bool = False, timings: dict[str, float] | None = None
) -> MonitoringImport | None:
    """Run a queued import to the end (done or failed); None if there is no such import, it
    has already finished, or (unless ``resume``) it is running. ``resume`` takes over a
    ``running`` import (its job's lease ran out: the worker died), staging afresh."""
    engine = get_engine()
    async with engine.connect() as conn:
        session = AsyncSession(bind=conn, expire_on_commit=False)
        record = await session.get(MonitoringImport, import_id)
        await session.commit()
        if record is None or not await repository.claim(conn, import_id, now(), resume=resume):
            await conn.commit()
            return None
        await conn.commit()
        path = Path(record.stored_path or "")
        try:
            info = reader.inspect(path, record.source)
            clock = time.perf_counter()
            progress = await _stage(conn, record, path, info)
            staged = time.perf_counter()
            # One transaction: the landing, the counts, the rules over the people touched and
            # the import's final state commit together or not at all.
            if not progress.landed:
                await repository.land(session, record.source, import_id, now())
            matched, unmatched = await repository.landed_counts(session, import_id)
            await repository.refresh_statistics(session, matched + unmatched)
            landed = time.perf_counter()
            opened = await evaluate_after_import(session, import_id)
            await repository.set_fields(
                session,
                import_id,
                status="done",
                matched=matched,
                unmatched=unmatched,
                duplicates=progress.rows_read - progress.rejected - matched - unmatched,
                warnings_opened=opened,
                finished_at=now(),
                stored_path=None,
                **progress.values(),
            )
            await session.commit()
            await conn.commit()  # the landing's transaction, when it began before the session
            if timings is not None:
                timings.update(
                    parse_and_stage=staged - clock,
                    land=landed - staged,
                    rules_and_commit=time.perf_counter() - landed,
                )
        except Exception as exc:
            await session.rollback()
            await conn.rollback()
            code, message = (
                (exc.code, exc.message)
                if isinstance(exc, AppError)
                else ("import_failed", "导入失败，未写入任何数据")
            )
            log.error("monitoring.import_failed", import_id=import_id, code=code, exc_info=True)
            await repository.set_fields(
                conn,
                import_id,
                status="failed",
                failure_code=code,
                failure_message=message,
                finished_at=now(),
                stored_path=None,
            )
            await conn.commit()
        finally:
            await repository.drop_staging(conn)
            await conn.commit()
            await session.close()
            # The file is not kept: its signals carry the provenance (import, row).
            if record.stored_path is not None or path.name:
                path.unlink(missing_ok=True)  # noqa: ASYNC240
    async with engine.connect() as conn:
        session = AsyncSession(bind=conn, expire_on_commit=False)
        result = await session.get(MonitoringImport, import_id)
        await session.close()
        return result
