"""Every warning rule, in the order scans run them and lists show them."""

from __future__ import annotations

from app.monitoring.rules.base import Rule
from app.monitoring.rules.discovery import (
    DeathLeavesDependants,
    LargeMedicalBill,
    NewSevereDisability,
)
from app.monitoring.rules.exit import (
    BusinessRegistered,
    IncomeOverStandard,
    OnlyMemberDied,
    VehicleOwned,
)
from app.monitoring.rules.need import (
    DeathInHousehold,
    HousingUnsafe,
    InpatientOnlyEarner,
    MedicalSpending,
    Unemployment,
    UtilityArrears,
)
from app.monitoring.rules.policy import (
    DisabilityAllowanceMissing,
    EligibleNotEnrolled,
    SchoolAidMissing,
)

RULES: tuple[Rule, ...] = (
    LargeMedicalBill(),
    DeathLeavesDependants(),
    NewSevereDisability(),
    MedicalSpending(),
    InpatientOnlyEarner(),
    DeathInHousehold(),
    Unemployment(),
    UtilityArrears(),
    HousingUnsafe(),
    VehicleOwned(),
    BusinessRegistered(),
    IncomeOverStandard(),
    OnlyMemberDied(),
    SchoolAidMissing(),
    DisabilityAllowanceMissing(),
    EligibleNotEnrolled(),
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
