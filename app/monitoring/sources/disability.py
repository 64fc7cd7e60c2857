"""Disability certificates (残联): type and grade 1-4 (1 is the most severe)."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, int_between, one_of, parse_date

TYPES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


def signal(values: list[Any]) -> Fields:
    disability_type, grade, issued_on = values
    return Fields(occurred_on=issued_on, quantity=grade, flag=disability_type)


SOURCE = Source(
    name="disability",
    title="残疾证",
    columns=(
        ("disability_type", one_of(*TYPES)),
        ("disability_grade", int_between(1, 4)),
        ("issued_on", parse_date),
    ),
    dated=frozenset({"issued_on"}),
    signal=signal,
    notes="disability_type 为 " + "、".join(TYPES) + "；quantity = 等级，flag = 类别",
)
