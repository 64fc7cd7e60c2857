"""The registry as an XLSX workbook: the list filters, the caller's jurisdiction, masked IDs.

Rows are read in keyset batches and written to a write-only workbook (constant memory) in a
worker thread, saved to an anonymous temporary file and streamed from it in chunks."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.ext.asyncio import AsyncSession

from app.households import repository
from app.households.categories.vocabulary import CATEGORY_NAMES
from app.households.repository import HouseholdFilter
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import to_local
from app.models.household import Household
from app.regions.service import region_names

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000
CHUNK = 64 * 1024
HEADERS = (
    "户编号",
    "所属社区",
    "地址",
    "类别",
    "风险等级",
    "致困原因",
    "人数",
    "户主姓名",
    "户主身份证号",
    "状态",
    "更新时间",
)
RISK_NAMES = {"high": "高", "medium": "中", "low": "低"}
CAUSE_NAMES = {
    "illness": "疾病",
    "disability": "残疾",
    "education": "教育",
    "unemployment": "失业",
    "lack_of_labour": "缺劳力",
    "accident": "意外事故",
    "old_age": "老年无依",
    "other": "其他",
}
STATUS_NAMES = {"active": "在册", "exited": "已退出"}


def _row(household: Household, region_name: str) -> list[Any]:
    return [
        household.reference,
        region_name,
        household.address,
        CATEGORY_NAMES.get(household.category or "", ""),
        RISK_NAMES.get(household.risk_level, household.risk_level),
        "、".join(CAUSE_NAMES.get(c, c) for c in household.causes),
        household.members_count,
        household.head_name,
        household.head_id_masked or "",
        STATUS_NAMES.get(household.status, household.status),
        to_local(household.updated_at).strftime("%Y-%m-%d %H:%M"),
    ]


def _append(sheet: WriteOnlyWorksheet, rows: list[list[Any]]) -> None:
    for row in rows:
        # Text typed by people (address, name) must never become a formula in Excel.
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


async def build(session: AsyncSession, actor: Actor, f: HouseholdFilter) -> tuple[IO[bytes], int]:
    """Write the workbook for the filters; returns the file (at its start) and the row count.
    The export itself is audited with its filters and row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("监测家庭")
    sheet.append(list(HEADERS))
    count = 0
    async for batch in repository.iter_households(session, actor, f, batch=BATCH):
        names = await region_names(session, {h.region_code for h in batch})
        rows = [_row(h, names.get(h.region_code, "")) for h in batch]
        await asyncio.to_thread(_append, sheet, rows)
        count += len(rows)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by chunks() once streamed
    try:
        await asyncio.to_thread(workbook.save, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    filters = {
        "category": f.category,
        "risk_level": f.risk_level,
        "region_code": f.region_code,
        "cause": f.cause,
        "status": f.status,
        "q": f.q_shown,
    }
    await audit.record(
        session,
        actor,
        "household.export",
        "household",
        None,
        {"filters": {k: v for k, v in filters.items() if v is not None}, "rows": count},
    )
    return handle, count


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """The file in chunks, closed (and so deleted) when done or when the client goes away."""
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()
