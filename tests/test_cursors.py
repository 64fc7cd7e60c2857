"""The one cursor reader: every list resumes from the same checked parts, and a forged or
malformed cursor is a 422 ``invalid_cursor``, never a 500 or a silent first page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.errors import Invalid
from app.kit.pagination import (
    Count,
    RecordKey,
    after_date_id,
    after_id,
    encode_cursor,
    read_cursor,
)


def test_parts_come_back_typed() -> None:
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    cursor = encode_cursor("2026-11-30", 0, 3, 42, at.isoformat())
    assert read_cursor(cursor, date, Count, Count, RecordKey, datetime) == (
        date(2026, 11, 30),
        0,
        3,
        42,
        at,
    )
    assert read_cursor(None, RecordKey) is None
    assert read_cursor("", RecordKey) is None
    assert after_id(encode_cursor(7)) == 7
    assert after_date_id(encode_cursor("2026-01-02", 9)) == (date(2026, 1, 2), 9)


@pytest.mark.parametrize(
    ("values", "kinds"),
    [
        ((0,), (RecordKey,)),  # ids start at 1
        ((True,), (RecordKey,)),  # a boolean is not an id
        ((2**63,), (RecordKey,)),  # past BIGINT
        (("7",), (RecordKey,)),  # a string is not an id
        ((-1,), (Count,)),
        (("2026-13-01", 1), (date, RecordKey)),
        ((20261130, 1), (date, RecordKey)),
        (("2026-11-30T08:00:00", 1), (datetime, RecordKey)),  # no offset
        ((1, 2), (RecordKey,)),  # wrong arity
    ],
)
def test_malformed_parts_are_refused(values: tuple[object, ...], kinds: tuple[type, ...]) -> None:
    with pytest.raises(Invalid) as caught:
        read_cursor(encode_cursor(*values), *kinds)
    assert caught.value.code == "invalid_cursor"


def test_garbage_is_refused() -> None:
    for cursor in ("%%%", "bm90IGpzb24", encode_cursor({"a": 1})):
        with pytest.raises(Invalid):
            after_id(cursor)
