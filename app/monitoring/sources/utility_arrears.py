"""Utility arrears (水电气欠费): the month, how many months in arrears and the amount owed."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import (
    Fields,
    Source,
    int_between,
    one_of,
    parse_money,
    parse_month,
)

UTILITIES = {"水": "water", "电": "electricity", "气": "gas"}


def signal(values: list[Any]) -> Fields:
    utility, month, months, arrears = values
    return Fields(occurred_on=month, amount=arrears, quantity=months, flag=UTILITIES[utility])


SOURCE = Source(
    name="utility_arrears",
    title="水电气欠费",
    columns=(
        ("utility", one_of(*UTILITIES)),
        ("arrears_month", parse_month),
        ("months_in_arrears", int_between(1, 120)),
        ("arrears_amount", parse_money),
    ),
    dated=frozenset({"arrears_month"}),
    signal=signal,
    notes="utility 为 水、电、气；arrears_month 为 YYYY-MM；occurred_on = 该月 1 日，"
    "quantity = 欠费月数，amount = 欠费金额，flag = water | electricity | gas",
)
