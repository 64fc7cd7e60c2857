"""An approval's monthly amount against the standard in force: an amount above the ceiling
(the standard for the category times the household's people) needs a stated reason, and the
case records the comparison."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.intake.schemas import DecisionIn
from app.kit.timeutil import now, to_local
from app.models.application import Application
from app.standards.repository import value_in_force

# The standard an amount is measured against: tekun its own (per person), others the dibao line.
STANDARD_KIND = {"tekun": "tekun"}
STANDARD_NAMES = {"dibao": "低保标准", "tekun": "特困人员基本生活标准"}


class AmountAboveStandard(Invalid):
    code = "amount_above_standard"


@dataclass(frozen=True)
class AmountCheck:
    ceiling: Decimal | None
    note: str
    detail: dict[str, str | int | None]


async def check_amount(
    session: AsyncSession, application: Application, decision: DecisionIn
) -> AmountCheck | None:
    """Compare the approved amount with the ceiling in force for the case's region today; 422
    ``amount_above_standard`` when above it without ``amount_reason``."""
    amount = decision.monthly_amount
    if amount is None:
        return None
    kind = STANDARD_KIND.get(decision.category.value, "dibao")
    people = 1 if kind == "tekun" else (application.household_size or 1)
    on = to_local(now()).date()
    standard = await value_in_force(session, application.region_code, kind, on)
    if standard is None:
        return AmountCheck(
            None,
            f"未找到 {on} 在用的{STANDARD_NAMES[kind]}，金额未与标准核对",
            {"amount_ceiling": None},
        )
    ceiling = standard * people
    basis = f"{STANDARD_NAMES[kind]} {standard:.2f} 元 × {people} 人"
    if amount <= ceiling:
        return AmountCheck(ceiling, "", {"amount_ceiling": f"{ceiling:.2f}"})
    if not decision.amount_reason:
        raise AmountAboveStandard(
            f"月救助金额 {amount:.2f} 元高于标准上限 {ceiling:.2f} 元（{basis}）；"
            "确需超出的，请在 decision.amount_reason 中说明理由",
            extra={"amount_ceiling": f"{ceiling:.2f}"},
        )
    return AmountCheck(
        ceiling,
        f"金额 {amount:.2f} 元高于标准上限 {ceiling:.2f} 元（{basis}），"
        f"理由：{decision.amount_reason}",
        {"amount_ceiling": f"{ceiling:.2f}", "amount_reason": decision.amount_reason},
    )
