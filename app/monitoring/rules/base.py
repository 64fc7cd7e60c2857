"""What every warning rule is made of.

A rule is a class with a readable ``check`` over one household's or one person's facts (the
Python twin) beside ``hits``, one set-based SQL statement over everyone that returns a row per
piece of evidence. The engine (:mod:`app.monitoring.rules.engine`) groups those rows by subject
and opens at most one warning per rule and subject. ``tests/monitoring/test_rule_agreement.py``
checks the two agree near every threshold.

Money is compared in integer cents on both sides, so SQLite (NUMERIC stored as REAL) and
PostgreSQL agree with ``Decimal`` to the cent. Windows count back from the evaluation date
``on``: a signal counts when ``occurred_on`` is after ``on`` minus the window (a window of 90
days on 2026-12-01 takes 2026-09-03 to 2026-12-01).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    and_,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    true,
)

from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning
from app.monitoring.rules.twin import Evidence, SignalFact

CENT = Decimal("0.01")

# What an incremental scan evaluates: the households and the people an import's rows are
# about, written once per scan into two small temporary tables (see ``engine.touch``) that each
# rule's statement joins, so the planner starts from the few touched rows, not the district.
_TEMP = MetaData()
TOUCHED_HOUSEHOLDS = Table(
    "scan_touched_households",
    _TEMP,
    Column("household_id", BigInteger, primary_key=True),
    prefixes=["TEMPORARY"],
)
TOUCHED_PERSONS = Table(
    "scan_touched_persons",
    _TEMP,
    Column("person_hash", String(64), primary_key=True),
    prefixes=["TEMPORARY"],
)


class RuleClass(StrEnum):
    discovery = "discovery"  # 主动发现: people not yet monitored, or new needs
    need = "need"  # 困难加深: a monitored household's conditions turned worse
    exit = "exit"  # 可能不再符合: a monitored household may no longer qualify
    policy = "policy"  # 政策落实: a benefit the household should have and does not


class Level(StrEnum):
    red = "red"
    orange = "orange"
    yellow = "yellow"


class SubjectKind(StrEnum):
    household = "household"
    person = "person"


# --- parameters -------------------------------------------------------------------------------

Days = Annotated[StrictInt, Field(ge=1, le=3650)]
Months = Annotated[StrictInt, Field(ge=1, le=36)]
AgeYears = Annotated[StrictInt, Field(ge=0, le=120)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), decimal_places=2)]
Multiple = Annotated[Decimal, Field(gt=0, le=100, decimal_places=4)]
Grade = Annotated[StrictInt, Field(ge=1, le=4)]


class RuleParams(BaseModel):
    """A rule's tunable thresholds. Unknown keys and ill-typed values are refused (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# --- helpers shared by both sides -------------------------------------------------------------


def money_text(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def to_cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def basis_points(value: Decimal) -> int:
    """A multiple or share in ten-thousandths (1.5 → 15000)."""
    return int((value * 10000).to_integral_value(rounding=ROUND_HALF_UP))


def days_before(on: date, days: int) -> date:
    return on - timedelta(days=days)


def months_before(on: date, months: int) -> date:
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    for day in (on.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def in_window(signal: SignalFact, start: date, on: date) -> bool:
    """After ``start``, not after ``on``."""
    return start < signal.occurred_on <= on


# --- SQL context and helpers ------------------------------------------------------------------


@dataclass(frozen=True)
class ScanContext:
    """What a statement needs besides the rule's params: the date, the backend, and whether
    the scan is incremental (only the people in ``TOUCHED_PERSONS`` and ``TOUCHED_HOUSEHOLDS``,
    filled for the scan's import)."""

    on: date
    dialect: str
    district_code: str
    incremental: bool = False

    def money(self, expr: Any) -> ColumnElement[str]:
        """A money amount as text with two decimals (``"1234.50"``) on both backends."""
        if self.dialect == "postgresql":
            return cast(cast(expr, Numeric(14, 2)), String)
        return func.printf("%.2f", expr)

    def text(self, expr: Any) -> ColumnElement[str]:
        return cast(expr, String)

    def touched_persons(self, person_hash: Any) -> ColumnElement[bool]:
        """Full scan: everyone. Incremental: the people in the import's rows."""
        if not self.incremental:
            return true()
        return person_hash.in_(select(TOUCHED_PERSONS.c.person_hash))

    def touched_households(self, household_id: Any) -> ColumnElement[bool]:
        """Full scan: every household. Incremental: households with a member in the import."""
        if not self.incremental:
            return true()
        return household_id.in_(select(TOUCHED_HOUSEHOLDS.c.household_id))


def cents(expr: Any) -> ColumnElement[int]:
    """Yuan to integer cents, exact for two-decimal values on both backends."""
    return cast(func.round(expr * 100), BigInteger)


def monitored(person_hash: Any) -> ColumnElement[bool]:
    """SQL: the person is an active member of a household."""
    member = HouseholdMember.__table__.alias("monitored_member")
    return exists().where(member.c.id_hash == person_hash, member.c.active)


def hit(
    *,
    subject_key: Any,
    household_id: Any,
    person_hash: Any,
    person_name: Any,
    person_id_masked: Any,
    region_code: Any,
    source: Any,
    import_id: Any,
    row: Any,
    field: str,
    value: Any,
    threshold: Any,
    signal_at: Any,
    summary: Any,
) -> list[ColumnElement[Any]]:
    """The columns every rule's ``hits`` statement returns, in this order."""
    return [
        cast(subject_key, String).label("subject_key"),
        cast(household_id, BigInteger).label("household_id"),
        cast(person_hash, String).label("person_hash"),
        cast(person_name, String).label("person_name"),
        cast(person_id_masked, String).label("person_id_masked"),
        cast(region_code, String).label("region_code"),
        cast(source, String).label("source"),
        cast(import_id, BigInteger).label("import_id"),
        cast(row, Integer).label("row"),
        literal(field, String).label("field"),
        cast(value, String).label("value"),
        cast(threshold, String).label("threshold"),
        signal_at.label("signal_at"),
        cast(summary, String).label("summary"),
    ]


def household_key(household_id: Any) -> ColumnElement[str]:
    return literal("h:", String) + cast(household_id, String)


def person_key(person_hash: Any) -> ColumnElement[str]:
    return literal("p:", String) + person_hash


def not_open(code: str, subject_key: Any) -> ColumnElement[bool]:
    """SQL: rule ``code`` has no open warning about ``subject_key``. The engine never opens a
    second one anyway; a rule that totals many rows per subject filters its subjects with this
    first, so a scan does not total and gather evidence again for warnings still being worked
    on (a full scan after a big import otherwise regathered every bill of every household)."""
    earlier = EarlyWarning.__table__.alias("already_open")
    return ~exists().where(
        earlier.c.rule_code == code,
        earlier.c.subject_key == subject_key,
        earlier.c.status.in_(OPEN_WARNING_STATUSES),
    )


def signal_evidence(signal: Any) -> dict[str, Any]:
    """The evidence columns that point at a signal row."""
    return {
        "source": signal.source,
        "import_id": signal.import_id,
        "row": signal.row_number,
        "signal_at": signal.created_at,
    }


def registry_evidence() -> dict[str, Any]:
    """Evidence from the registry itself: no file, no row."""
    return {
        "source": literal("registry", String),
        "import_id": null(),
        "row": null(),
        "signal_at": cast(null(), Signal.__table__.c.created_at.type),
    }


class Rule(ABC):
    """One warning rule. Subclasses set the class attributes and write both sides."""

    code: ClassVar[str]
    name: ClassVar[str]  # Chinese, as staff read it
    rule_class: ClassVar[RuleClass]
    default_level: ClassVar[Level]
    subject: ClassVar[SubjectKind] = SubjectKind.household
    # Off until the data it needs is imported (a rule that could only raise false alarms).
    default_enabled: ClassVar[bool] = True
    # The sources whose new signals can make the rule fire (None: any import, e.g. a rule over
    # the registry that a new signal may call for). After an import of another source the
    # rule is not run for the people it touched: nothing it reads has changed for them (the
    # nightly full scan still runs every rule over everyone).
    triggers: ClassVar[frozenset[str] | None] = None
    Params: ClassVar[type[RuleParams]]

    @classmethod
    def description(cls) -> str:
        return " ".join((cls.__doc__ or "").split())

    @abstractmethod
    def check(self, params: Any, facts: Any, on: date) -> list[Evidence]:
        """The Python twin: the evidence for one subject, empty when the rule does not fire."""

    @abstractmethod
    def hits(self, params: Any, ctx: ScanContext) -> Select[Any]:
        """One statement over everyone: a row per piece of evidence (see :func:`hit`)."""


def household_subject(
    household: Any, member: Any, *, name: Any = None, id_masked: Any = None
) -> dict[str, Any]:
    """Subject columns for a household rule, the member concerned as its person."""
    return {
        "subject_key": household_key(household.id),
        "household_id": household.id,
        "person_hash": null(),
        "person_name": member.name if name is None else name,
        "person_id_masked": member.id_masked if id_masked is None else id_masked,
        "region_code": household.region_code,
    }


def signal_window(source: str, start: date, on: date) -> list[ColumnElement[bool]]:
    return [Signal.source == source, Signal.occurred_on > start, Signal.occurred_on <= on]


def member_signals(*columns: Any) -> Select[Any]:
    """``columns`` over signals about active members of active households."""
    return (
        select(*columns)
        .select_from(Signal)
        .join(
            HouseholdMember,
            and_(HouseholdMember.id_hash == Signal.person_hash, HouseholdMember.active),
        )
        .join(
            Household,
            and_(Household.id == HouseholdMember.household_id, Household.status == "active"),
        )
    )
