"""The tekun care arrangement (特困人员供养方式: 分散供养 dispersed, 集中供养 centralized) on
the registry: set by a tekun decision (a statutory procedure's or a district officer's), changed
by staff on the household, cleared when the household leaves tekun. Only tekun households carry
one; every change is versioned and audited with the household's other changes."""

from __future__ import annotations

from app.errors import Invalid
from app.households.categories.vocabulary import CareArrangement, Category
from app.households.changelog import ChangeLog
from app.models.household import Household

FIELD = "care_arrangement"


class NotTekun(Invalid):
    code = "care_arrangement_not_tekun"
    message = "只有特困人员家庭登记供养方式（分散供养或集中供养）"


class NotYetInForce(Invalid):
    code = "care_arrangement_scheduled"
    message = "预约生效的类别决定不登记供养方式；请在决定生效后在家庭信息中登记"


def check(category: str | None, arrangement: CareArrangement | None) -> None:
    """422 ``care_arrangement_not_tekun`` for an arrangement on a household not in tekun."""
    if arrangement is not None and category != Category.tekun:
        raise NotTekun(extra={"errors": [{"field": FIELD, "message": "not tekun"}]})


def change(
    log: ChangeLog,
    household: Household,
    arrangement: CareArrangement | None,
    action: str = "update",
) -> None:
    """Set (or clear, with ``None``) a tekun household's arrangement, kept in the history."""
    check(household.category, arrangement)
    log.set(household, FIELD, arrangement.value if arrangement else None, action)


def follow_category(log: ChangeLog, household: Household, action: str) -> None:
    """A household leaving tekun leaves its arrangement behind."""
    if household.category != Category.tekun and household.care_arrangement is not None:
        log.set(household, FIELD, None, action)
