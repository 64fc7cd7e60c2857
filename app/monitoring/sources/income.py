"""Pensions and income (人社、税务): a month's income of one kind."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, one_of, parse_money, parse_month

KINDS = {"养老金": "pension", "工资": "wage", "其他": "other"}


def signal(values: list[Any]) -> Fields:
    month, kind, amount = values
    return Fields(occurred_on=month, amount=amount, flag=KINDS[kind])


SOURCE = Source(
    name="income",
    title="养老金与收入",
    columns=(
        ("income_month", parse_month),
        ("income_type", one_of(*KINDS)),
        ("amount", parse_money),
    ),
    dated=frozenset({"income_month"}),
    signal=signal,
    notes="income_type 为 养老金、工资、其他；occurred_on = 该月 1 日，amount = 月收入，"
    "flag = pension | wage | other",
)
