"""Imports of other agencies' data: a file is checked as it is received, queued, then run by
the job runner (:mod:`app.monitoring.importer`)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden
from app.jobs import enqueue
from app.kit.actor import Actor
from app.kit.pagination import after_id, split_page
from app.models.monitoring import MonitoringImport
from app.monitoring import reader, repository
from app.monitoring.errors import ImportNotFound, UnknownSource
from app.monitoring.sources import SOURCES
from app.monitoring.tasks import IMPORT_JOB
from app.monitoring.upload import (
    ReceivedImport,
    clean_filename,
    max_bytes,
    new_path,
    too_large,
)


def check_importer(actor: Actor) -> None:
    """Only the district's officers (and the command line) import data."""
    if actor.kind == "system":
        return
    if actor.kind != "staff" or not has_scope(actor.role, Scope.monitoring_import):
        raise Forbidden("仅限区级工作人员导入数据", code="scope_denied")


def check_source(source: str) -> None:
    if source not in SOURCES:
        raise UnknownSource(f"未知的数据来源 {source!r}；可选：{'、'.join(SOURCES)}")


async def inspect(received: ReceivedImport) -> reader.FileInfo:
    """Refuse a file that cannot be imported (wrong header, empty, unsafe, unreadable)."""
    check_source(received.source)
    return await asyncio.to_thread(reader.inspect, received.path, received.source)


async def submit(
    session: AsyncSession,
    actor: Actor,
    received: ReceivedImport,
    info: reader.FileInfo,
    *,
    as_job: bool = True,
) -> tuple[int, MonitoringImport]:
    """Queue a checked file: 202 and a new import with its job (written in this transaction),
    or 200 and the earlier import of the same bytes of the same source (nothing changes).
    ``as_job=False``: the caller runs the import itself (the command line)."""
    earlier = await repository.by_file(session, received.source, received.sha256)
    if earlier is not None:
        return 200, earlier
    record = MonitoringImport(
        source=received.source,
        status="queued",
        encoding=info.encoding,
        file_format=info.format,
        file_sha256=received.sha256,
        filename=received.filename,
        size=received.size,
        stored_path=str(received.path),
        errors=[],
        created_by_id=actor.id if actor.kind == "staff" else None,
    )
    try:
        async with session.begin_nested():
            session.add(record)
            await session.flush()
    except IntegrityError:
        # The same file, uploaded at the same moment by someone else, won the unique index.
        earlier = await repository.by_file(session, received.source, received.sha256)
        if earlier is None:
            raise
        return 200, earlier
    if as_job:
        await enqueue(
            session, IMPORT_JOB, {"import_id": record.id}, key=f"{IMPORT_JOB}:{record.id}"
        )
    return 202, record


async def page(
    session: AsyncSession, actor: Actor, source: str | None, limit: int, cursor: str | None
) -> tuple[list[MonitoringImport], str | None]:
    """One page of imports, newest first, and the next page's cursor."""
    rows = await repository.page(session, actor, limit, after_id(cursor), source)
    return split_page(rows, limit)


async def readable(session: AsyncSession, actor: Actor, import_id: int) -> MonitoringImport:
    record = await repository.readable(session, actor, import_id)
    if record is None:
        raise ImportNotFound()
    return record


def receive_path(path: Path, source: str, filename: str) -> ReceivedImport:
    """A file on disk (the command line) received like an upload: copied under the import
    directory with a random name, its size capped and its SHA-256 computed."""
    if path.stat().st_size > max_bytes():
        raise too_large()
    target = ReceivedImport(path=new_path(), filename=clean_filename(filename), source=source)
    digest = hashlib.sha256()
    with path.open("rb") as src, target.path.open("wb") as dst:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
            dst.write(chunk)
            target.size += len(chunk)
    target.sha256 = digest.hexdigest()
    return target


async def import_file(
    path: Path, source: str, timings: dict[str, float] | None = None
) -> tuple[int, MonitoringImport]:
    """``python -m app import FILE --source S``: the file checked as an upload would be and
    run to the end here (no job: this process is the worker); (202, the finished import), or
    (200, the earlier import of the same bytes: resumed here if it was left queued or running
    by a command that died)."""
    from app.db.session import session_scope
    from app.kit.actor import SYSTEM
    from app.monitoring.importer import run_import

    check_source(source)
    received = await asyncio.to_thread(receive_path, path, source, path.name)
    try:
        info = await inspect(received)
        async with session_scope() as session:
            status, record = await submit(session, SYSTEM, received, info, as_job=False)
    except BaseException:
        received.discard()
        raise
    if status == 200:
        received.discard()
        # Left unfinished by a command line that died (an upload's own job resumes those).
        if record.status not in ("queued", "running") or record.created_by_id is not None:
            return status, record
    finished = await run_import(record.id, resume=status == 200, timings=timings)
    return status, finished or record
