"""What the imports API returns."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.kit.schemas import LocalDateTime, Page, Schema


class RowError(Schema):
    row: int = Field(description="文件中的行号（表头为第 1 行）")
    column: str = Field(description="列名；整行的问题为空")
    reason: str


class ImportOut(Schema):
    id: int
    source: str
    status: Literal["queued", "running", "done", "failed"]
    encoding: Literal["utf-8", "gbk"] | None = Field(description="检测到的编码；XLSX 为 utf-8")
    file_format: Literal["csv", "xlsx"]
    filename: str
    size: int
    rows_read: int
    matched: int = Field(description="已入库且匹配到在册监测对象的行")
    unmatched: int = Field(description="已入库、未匹配到在册人员的行（用于发现未纳入监测的人）")
    rejected: int = Field(description="校验未通过的行")
    duplicates: int = Field(description="与已入库数据内容相同而跳过的行")
    warnings_opened: int
    errors: list[RowError] = Field(description="前 1000 个被拒绝的行")
    errors_total: int
    failure_code: str | None
    failure_message: str | None
    created_at: LocalDateTime
    started_at: LocalDateTime | None
    finished_at: LocalDateTime | None


class ImportPage(Page[ImportOut]):
    pass
