"""The shape most need and exit rules share: one recent signal of a source about a member
(a death, an unemployment registration, arrears, a vehicle ...), narrowed by each subclass."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, String, literal

from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.base import (
    Rule,
    ScanContext,
    days_before,
    hit,
    household_subject,
    in_window,
    member_signals,
    signal_evidence,
    signal_window,
)
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
)


class RecentSignalRule(Rule):
    """Base for rules firing on one recent signal about a member (subclasses narrow it)."""

    source: str
    field_name: str
    summary_text: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "source" in cls.__dict__:
            cls.triggers = frozenset({cls.source})

    def member_matches(self, p: Any, facts: HouseholdFacts, person_hash: str, on: date) -> bool:
        return True

    def signal_matches(self, p: Any, signal: Any) -> bool:
        return True

    def value(self, p: Any, signal: Any) -> str:
        return str(signal.occurred_on.isoformat())

    def threshold(self, p: Any) -> str:
        return f"{p.days}天内"

    def check(self, p: Any, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts):
            return []
        start = days_before(on, p.days)
        return [
            Evidence(
                self.source,
                s.import_id,
                s.row,
                self.field_name,
                self.value(p, s),
                self.threshold(p),
            )
            for s in facts.signals
            if s.source == self.source
            and in_window(s, start, on)
            and self.signal_matches(p, s)
            and self.member_matches(p, facts, s.person_hash, on)
        ]

    def sql_value(self, p: Any, ctx: ScanContext) -> Any:
        return ctx.text(Signal.occurred_on)

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return []

    def hits(self, p: Any, ctx: ScanContext) -> Select[Any]:
        return member_signals(
            *hit(
                **household_subject(Household, HouseholdMember),
                **signal_evidence(Signal),
                field=self.field_name,
                value=self.sql_value(p, ctx),
                threshold=literal(self.threshold(p), String),
                summary=literal(self.summary_text, String),
            )
        ).where(
            *signal_window(self.source, days_before(ctx.on, p.days), ctx.on),
            ctx.touched_households(Household.id),
            *self.sql_where(p, ctx),
        )
