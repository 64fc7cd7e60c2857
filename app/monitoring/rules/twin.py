"""What the Python twins of the warning rules read and return: one household's or one
person's facts (loaded by :mod:`app.monitoring.rules.facts`), and the evidence a rule finds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.kit.idnumber import age


@dataclass(frozen=True)
class SignalFact:
    id: int
    source: str
    import_id: int | None
    row: int | None
    person_hash: str
    occurred_on: date
    created_at: datetime
    amount: Decimal | None = None
    quantity: int | None = None
    flag: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class MemberFact:
    id: int
    id_hash: str
    name: str
    birth_date: date
    monthly_income: Decimal
    disability_grade: int | None = None

    def age(self, on: date) -> int:
        return age(self.birth_date, on)


@dataclass(frozen=True)
class HouseholdFacts:
    """One active household: its active members, every signal about them, and the dibao
    standard in force for it (None when no standard is set)."""

    id: int
    region_code: str
    category: str | None
    members: tuple[MemberFact, ...]
    signals: tuple[SignalFact, ...]
    monthly_income_total: Decimal
    medical_spending: Decimal = Decimal("0.00")
    education_spending: Decimal = Decimal("0.00")
    dibao_standard: Decimal | None = None
    qualifies: tuple[str, ...] = ()  # categories the eligibility rules find it qualifies for

    def member(self, id_hash: str) -> MemberFact | None:
        return next((m for m in self.members if m.id_hash == id_hash), None)


@dataclass(frozen=True)
class PersonFacts:
    """One person known only from signals: not a member of any active household."""

    person_hash: str
    signals: tuple[SignalFact, ...]


Facts = HouseholdFacts | PersonFacts


@dataclass(frozen=True, order=True)
class Evidence:
    """One piece of what a warning rests on; ``source`` ``registry`` for the registry's data."""

    source: str
    import_id: int | None
    row: int | None
    field: str
    value: str
    threshold: str
