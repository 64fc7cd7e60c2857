"""Base schemas: reads from ORM objects, inputs refuse unknown fields, times with offset."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer

from app.kit.timeutil import to_local


def _local_iso(value: datetime) -> str:
    return to_local(value).isoformat()


LocalDateTime = Annotated[datetime, PlainSerializer(_local_iso, return_type=str)]
"""A UTC datetime shown in local time with its offset (``2026-11-29T10:00:00+08:00``)."""

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
"""Yuan as a decimal string with two places (``"870.00"``)."""


class Schema(BaseModel):
    """Read schema base."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Input schema base: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    errors: list[dict[str, Any]] | None = None
