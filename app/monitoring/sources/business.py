"""Business registration (市场监管): a business the person owns or runs."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, parse_date, parse_money, text_up_to


def signal(values: list[Any]) -> Fields:
    business_name, business_type, registered_on, capital = values
    return Fields(
        occurred_on=registered_on,
        amount=capital,
        flag=business_type,
        detail={"business_name": business_name},
    )


SOURCE = Source(
    name="business",
    title="工商登记",
    columns=(
        ("business_name", text_up_to(100)),
        ("business_type", text_up_to(24)),
        ("registered_on", parse_date),
        ("registered_capital", parse_money),
    ),
    dated=frozenset({"registered_on"}),
    signal=signal,
    notes="flag = business_type（如 个体工商户），amount = registered_capital",
)
