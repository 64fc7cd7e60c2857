"""Date arithmetic in SQL that reads the same on PostgreSQL and SQLite: a date plus days, the
days between two dates, and the local calendar date of a UTC timestamp. SQLite keeps dates as
``YYYY-MM-DD`` text, which compares in date order, so the results can be compared and sorted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.kit.timeutil import local_zone


class add_days(FunctionElement[Any]):
    """``date + days`` (days may be negative)."""

    type = Date()
    inherit_cache = True
    name = "add_days"


class days_between(FunctionElement[Any]):
    """``later - earlier`` in whole days."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


class local_date(FunctionElement[Any]):
    """The local calendar date (``JIUZHU_TIMEZONE``) of a UTC timestamp."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"(CAST({compiler.process(day, **kw)} AS DATE) "
        f"+ CAST({compiler.process(days, **kw)} AS INTEGER))"
    )


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, printf('%+d days', {compiler.process(days, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(CAST({compiler.process(later, **kw)} AS DATE) "
        f"- CAST({compiler.process(earlier, **kw)} AS DATE))"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) "
        f"- julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(local_date, "postgresql")
def _local_date_pg(element: local_date, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    zone = str(local_zone()).replace("'", "")
    return f"CAST(({compiler.process(moment, **kw)} AT TIME ZONE '{zone}') AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    # SQLite has no zone data; the offset is fixed for zones without daylight saving (China).
    (moment,) = list(element.clauses)
    offset = datetime.now(UTC).astimezone(local_zone()).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return f"date({compiler.process(moment, **kw)}, '{minutes:+d} minutes')"


class earlier_of(FunctionElement[Any]):
    """The earlier of a date and a date that may be NULL (NULL: the first)."""

    type = Date()
    inherit_cache = True
    name = "earlier_of"


@compiles(earlier_of, "postgresql")
def _earlier_of_pg(element: earlier_of, compiler: Any, **kw: Any) -> str:
    first, maybe = list(element.clauses)
    # LEAST ignores NULLs on PostgreSQL.
    return f"LEAST({compiler.process(first, **kw)}, {compiler.process(maybe, **kw)})"


@compiles(earlier_of, "sqlite")
def _earlier_of_sqlite(element: earlier_of, compiler: Any, **kw: Any) -> str:
    first, maybe = list(element.clauses)
    # SQLite's min() of a NULL is NULL: a NULL stands for a date after any other.
    return (
        f"min({compiler.process(first, **kw)}, "
        f"coalesce({compiler.process(maybe, **kw)}, '9999-12-31'))"
    )
