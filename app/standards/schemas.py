"""Shapes of the standards endpoints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator

from app.kit.inputs import EffectiveDate, RegionCode
from app.kit.schemas import InputSchema, LocalDateTime, Money, Page, Schema
from app.standards.repository import StandardKind

MAX_MONEY_STANDARD = Decimal("100000.00")
MIN_MULTIPLIER = Decimal("1")
MAX_MULTIPLIER = Decimal("3")


class StandardIn(InputSchema):
    region_code: RegionCode
    kind: StandardKind
    value: Decimal = Field(
        description='十进制字符串：金额（元/人/月）如 "870.00"，倍数如 "1.5"；不接受浮点数',
        examples=["870.00"],
    )
    effective_from: EffectiveDate

    @field_validator("value", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        # A JSON float has already lost exactness (870.1 is 870.0999...); money is a string.
        if isinstance(value, float):
            raise ValueError('value 须为十进制字符串，如 "870.00"')
        return value

    @model_validator(mode="after")
    def _value_fits_kind(self) -> StandardIn:
        value = self.value
        if not value.is_finite():
            raise ValueError("value 须为有限的数")
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if self.kind == StandardKind.edge_multiplier:
            if not MIN_MULTIPLIER <= value <= MAX_MULTIPLIER:
                raise ValueError("边缘倍数须在 1 到 3 之间")
            if places > 4:
                raise ValueError("边缘倍数最多 4 位小数")
        else:
            if value <= 0:
                raise ValueError("标准须大于 0")
            if value > MAX_MONEY_STANDARD:
                raise ValueError("标准金额过大")
            if places > 2:
                raise ValueError("金额最多 2 位小数")
        return self


class StandardOut(Schema):
    id: int
    region_code: str
    region_name: str
    kind: StandardKind
    value: str = Field(description='金额两位小数（"870.00"），倍数如 "1.50"')
    effective_from: date
    in_force: bool = Field(description="是否为所查地区今日执行的该类标准")
    created_by_id: int | None
    created_at: LocalDateTime


StandardPage = Page[StandardOut]


class RecalculationItem(Schema):
    """A household the standard governs: its amount now and under the standard."""

    household_id: int
    reference: str
    region_code: str
    category: str
    members_count: int
    monthly_income_total: Money
    old_amount: Money | None
    new_amount: Money
    confirmed: bool


class Recalculation(Page[RecalculationItem]):
    standard: StandardOut


class RecalculationConfirmed(Schema):
    standard_id: int
    confirmed: int  # households whose new amount this confirmation recorded
