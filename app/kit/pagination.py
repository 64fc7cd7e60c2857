"""Opaque keyset cursors: ``(sort value, id)`` of the last item, base64 JSON. Lists fetch
``limit + 1`` rows after :func:`after_id` or :func:`after_date_id` and answer with
:func:`split_page` in a ``Page[T]`` (:mod:`app.kit.schemas`)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
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


class RecordKey:
    """A cursor part that is a record id (1 to BIGINT)."""


class Count:
    """A cursor part that is a non-negative whole number other than an id (a rank, a count)."""


CursorPart = type[RecordKey] | type[Count] | type[date] | type[datetime]


def _part(kind: CursorPart, value: Any) -> Any:
    if kind is RecordKey or kind is Count:
        low = 1 if kind is RecordKey else 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_ID:
            raise _invalid()
        return value
    if not isinstance(value, str):
        raise _invalid()
    try:
        parsed = datetime.fromisoformat(value) if kind is datetime else date.fromisoformat(value)
    except ValueError as exc:
        raise _invalid() from exc
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        raise _invalid()
    return parsed


def read_cursor(cursor: str | None, *kinds: CursorPart) -> tuple[Any, ...] | None:
    """The one cursor reader: the parts of an opaque cursor, each checked against its kind
    (``RecordKey``, ``Count``, ``date`` or ``datetime``); None for the first page; 422
    ``invalid_cursor`` for anything malformed or forged."""
    if not cursor:
        return None
    values = decode_cursor(cursor, len(kinds))
    return tuple(_part(kind, value) for kind, value in zip(kinds, values, strict=True))


def after_id(cursor: str | None) -> int | None:
    """Where a list ordered by id descending resumes; None for the first page."""
    parts = read_cursor(cursor, RecordKey)
    return None if parts is None else int(parts[0])


def after_date_id(cursor: str | None) -> tuple[date, int] | None:
    """Where a list ordered by ``(date, id)`` descending resumes; None for the first page."""
    parts = read_cursor(cursor, date, RecordKey)
    return None if parts is None else (parts[0], parts[1])


def _by_id(row: Any) -> tuple[Any, ...]:
    return (row.id,)


def split_page(
    rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]] = _by_id
) -> tuple[list[T], str | None]:
    """Rows fetched with ``limit + 1``: the page, and the cursor of the next page (or None)."""
    page = list(rows[:limit])
    return page, encode_cursor(*key(page[-1])) if len(rows) > limit else None
