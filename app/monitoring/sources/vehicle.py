"""Vehicle registration (公安交管): a vehicle in the person's name."""

from __future__ import annotations

from typing import Any

from app.monitoring.sources.base import Fields, Source, parse_date, parse_money, text_up_to


def signal(values: list[Any]) -> Fields:
    plate, vehicle_type, registered_on, price = values
    return Fields(
        occurred_on=registered_on, amount=price, flag=vehicle_type, detail={"plate_number": plate}
    )


SOURCE = Source(
    name="vehicle",
    title="车辆登记",
    columns=(
        ("plate_number", text_up_to(12)),
        ("vehicle_type", text_up_to(24)),
        ("registered_on", parse_date),
        ("purchase_price", parse_money),
    ),
    dated=frozenset({"registered_on"}),
    signal=signal,
    notes="flag = vehicle_type（如 小型汽车），amount = purchase_price",
)
