"""Shapes of the category endpoints: a decision, and the history of decisions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from app.households.categories.vocabulary import CareArrangement, Category
from app.households.schemas import MoneyIn
from app.kit.inputs import EffectiveDate
from app.kit.schemas import InputSchema, LocalDateTime, Money, Page, Schema


class CategoryAction(StrEnum):
    enrol = "enrol"
    change = "change"
    exit = "exit"


class RecordedAction(StrEnum):
    """What the history holds: the decisions above, and ``adjust`` (a new monthly amount in
    the same category: a statutory procedure's reduction, 减发), which no endpoint here takes."""

    enrol = "enrol"
    change = "change"
    exit = "exit"
    adjust = "adjust"


class CategoryDecision(InputSchema):
    action: CategoryAction
    category: Category | None = None
    effective_date: EffectiveDate
    reason: str = Field(min_length=2, max_length=500)
    monthly_amount: MoneyIn | None = None
    # Enrolling in (or changing to) tekun: 分散供养 / 集中供养 (422 for another category).
    care_arrangement: CareArrangement | None = None

    @model_validator(mode="after")
    def _category_for_action(self) -> CategoryDecision:
        if self.action == CategoryAction.exit:
            if self.category or self.monthly_amount is not None or self.care_arrangement:
                raise ValueError("exit 不带 category、monthly_amount 与 care_arrangement")
        elif self.category is None:
            raise ValueError(f"{self.action.value} 须给出 category")
        return self


class CategoryChangeOut(Schema):
    id: int
    action: RecordedAction
    category: Category | None
    previous_category: Category | None
    effective_date: dt.date
    reason: str
    approved_by_id: int | None
    application_id: int | None
    monthly_amount: Money | None
    standard_value: Money | None
    created_at: LocalDateTime
    # applied | scheduled (waiting for its date) | cancelled (withdrawn before it)
    status: str = "applied"
    applied_at: LocalDateTime | None = None


CategoryHistoryPage = Page[CategoryChangeOut]
