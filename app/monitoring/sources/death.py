"""Deaths (公安、卫健、殡葬): one person per row."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, parse_date


def signal(values: list[Any]) -> Fields:
    return Fields(occurred_on=values[0])


SOURCE = Source(
    name="death",
    title="死亡",
    columns=(("date_of_death", parse_date),),
    dated=frozenset({"date_of_death"}),
    signal=signal,
)
