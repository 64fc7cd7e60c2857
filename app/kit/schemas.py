"""Base schemas: reads from ORM objects, inputs refuse unknown fields, times with offset."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)

from app.kit.timeutil import to_local


def _local_iso(value: datetime) -> str:
    return to_local(value).isoformat()


LocalDateTime = Annotated[datetime, PlainSerializer(_local_iso, return_type=str)]
"""A UTC datetime shown in local time with its offset (``2026-11-29T10:00:00+08:00``)."""


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-23:59
        raise ValueError("时间超出可表示的范围") from exc


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An input time with an offset, normalised to UTC; a 422 when it has no UTC equivalent
(rather than an overflow when the database driver converts it)."""

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
"""Yuan as a decimal string with two places (``"870.00"``)."""


class Schema(BaseModel):
    """Read schema base."""

    model_config = ConfigDict(from_attributes=True)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class InputSchema(BaseModel):
    """Input schema base: unknown fields are refused, strings are trimmed and may not hold NUL
    (PostgreSQL cannot store it: a 422 here rather than a 500 from the database)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("文本中不能包含 NUL 字符")
        return value


class RevealIn(InputSchema):
    """Why a caller needs a personal field in clear; kept in the audit log."""

    reason: str = Field(min_length=2, max_length=200)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    errors: list[dict[str, Any]] | None = None
