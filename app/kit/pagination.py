"""Opaque keyset cursors: ``(sort value, id)`` of the last item, base64 JSON. Lists fetch
``limit + 1`` rows after :func:`after_id` or :func:`after_date_id` and answer with
:func:`split_page` in a ``Page[T]`` (:mod:`app.kit.schemas`)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Query

from app.errors import Invalid
from app.kit.params import MAX_ID

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数")]
Cursor = Annotated[str | None, Query(max_length=200, description="上一页返回的 next_cursor")]


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid("分页游标无效", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Invalid("分页游标无效", code="invalid_cursor")
    return values


def _invalid() -> Invalid:
    return Invalid("分页游标无效", code="invalid_cursor")


def _record_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise _invalid()
    return value


def decode_id_cursor(cursor: str) -> int:
    """The id of the last item from a one-value cursor; 422 ``invalid_cursor`` for anything
    that is not a plausible id."""
    (value,) = decode_cursor(cursor, 1)
    return _record_id(value)


def after_id(cursor: str | None) -> int | None:
    """Where a list ordered by id descending resumes; None for the first page."""
    return decode_id_cursor(cursor) if cursor else None


def after_date_id(cursor: str | None) -> tuple[date, int] | None:
    """Where a list ordered by ``(date, id)`` descending resumes; None for the first page."""
    if not cursor:
        return None
    day, value = decode_cursor(cursor, 2)
    record_id = _record_id(value)
    if not isinstance(day, str):
        raise _invalid()
    try:
        return date.fromisoformat(day), record_id
    except ValueError as exc:
        raise _invalid() from exc


def _by_id(row: Any) -> tuple[Any, ...]:
    return (row.id,)


def split_page(
    rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]] = _by_id
) -> tuple[list[T], str | None]:
    """Rows fetched with ``limit + 1``: the page, and the cursor of the next page (or None)."""
    page = list(rows[:limit])
    return page, encode_cursor(*key(page[-1])) if len(rows) > limit else None
