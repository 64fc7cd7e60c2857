"""Unemployment registration (人社部门)."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, parse_date


def signal(values: list[Any]) -> Fields:
    return Fields(occurred_on=values[0])


SOURCE = Source(
    name="unemployment",
    title="失业登记",
    columns=(("registered_on", parse_date),),
    dated=frozenset({"registered_on"}),
    signal=signal,
)
