"""Housing safety assessments (住建部门): rating A-D (C and D are unsafe)."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, one_of, parse_date


def signal(values: list[Any]) -> Fields:
    assessed_on, rating = values
    return Fields(occurred_on=assessed_on, flag=rating)


SOURCE = Source(
    name="housing_safety",
    title="住房安全",
    columns=(("assessed_on", parse_date), ("rating", one_of("A", "B", "C", "D"))),
    dated=frozenset({"assessed_on"}),
    signal=signal,
    notes="rating 为 A、B、C、D（C、D 级为危房）；flag = rating",
)
