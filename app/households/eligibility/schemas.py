"""Shapes of the eligibility and mismatch endpoints."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from app.households.categories.vocabulary import Category
from app.households.schemas import HouseholdItem
from app.kit.schemas import Money, Page, Schema


class EligibilityOut(Schema):
    on: date
    region_code: str
    standard: Money = Field(description="当日执行的低保标准")
    edge_multiplier: str
    edge_threshold: Money = Field(description="低保边缘线 = 标准 × 倍数")
    tekun_standard: Money | None
    members_counted: int
    income_total: Money
    income_per_head: Money
    income_per_head_after_rigid_spending: Money
    qualifies: list[Category]
    current_category: Category | None
    steps: list[str] = Field(description="逐步测算说明，可向家庭宣读")


class Suggestion(StrEnum):
    tekun = "tekun"
    dibao = "dibao"
    dibao_edge = "dibao_edge"
    expenditure_hardship = "expenditure_hardship"
    other_special = "other_special"
    exit = "exit"  # 建议退出


class MismatchItem(HouseholdItem):
    """A registry list line plus what the rules suggest now."""

    current_category: Category | None
    suggested: Suggestion
    reason: str
    on: date
    standard: Money
    income_per_head: Money
    income_per_head_after_rigid_spending: Money


MismatchPage = Page[MismatchItem]
