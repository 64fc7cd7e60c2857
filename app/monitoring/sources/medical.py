"""Medical spending (医保部门): one visit or inpatient stay per row."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import (
    CellError,
    Fields,
    Source,
    cents,
    parse_bool,
    parse_date,
    parse_money,
    text_up_to,
)


def signal(values: list[Any]) -> Fields:
    visit_date, inpatient, total_cost, out_of_pocket, hospital = values
    if cents(out_of_pocket) > cents(total_cost):
        raise CellError("个人自付不能超过总费用", column="out_of_pocket")
    return Fields(
        occurred_on=visit_date,
        amount=out_of_pocket,
        flag="inpatient" if inpatient else "outpatient",
        detail={"total_cost": total_cost, "hospital": hospital},
    )


SOURCE = Source(
    name="medical",
    title="医疗费用",
    columns=(
        ("visit_date", parse_date),
        ("inpatient", parse_bool),
        ("total_cost", parse_money),
        ("out_of_pocket", parse_money),
        ("hospital", text_up_to(100)),
    ),
    dated=frozenset({"visit_date"}),
    signal=signal,
    notes="inpatient 是/否 或 1/0；金额单位元，最多两位小数；amount = out_of_pocket，"
    "flag = inpatient | outpatient",
)
