"""School aid (教育部门): a student's grant or fee waiver."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, parse_date, parse_money, text_up_to


def signal(values: list[Any]) -> Fields:
    school, aid_type, amount, granted_on = values
    return Fields(
        occurred_on=granted_on, amount=amount, detail={"school": school, "aid_type": aid_type}
    )


SOURCE = Source(
    name="school_aid",
    title="教育资助",
    columns=(
        ("school", text_up_to(100)),
        ("aid_type", text_up_to(40)),
        ("amount", parse_money),
        ("granted_on", parse_date),
    ),
    dated=frozenset({"granted_on"}),
    signal=signal,
)
