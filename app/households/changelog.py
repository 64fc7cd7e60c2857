"""Every change to a household goes through :class:`ChangeLog`: the summary columns are brought
in step, the version is bumped, each changed field is kept with its old and new value in
``household_changes``, and the change is audited, all in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.households.errors import InvalidIfMatch, StaleVersion, VersionRequired
from app.kit import audit
from app.kit.actor import Actor
from app.kit.money import money
from app.models.household import Household, HouseholdChange, HouseholdMember

SEVERE_DISABILITY_GRADES = (1, 2)


def current_members(household: Household) -> list[HouseholdMember]:
    """Members not removed from the household (still listed when the household has exited)."""
    return [m for m in household.members if m.removed_at is None]


def refresh_summary(household: Household) -> None:
    """The denormalised columns lists and set-based eligibility read: size, income, head,
    and whether anyone is severely disabled (grade 1-2) or severely ill (重残重病)."""
    members = current_members(household)
    head = next((m for m in members if m.relation == "head"), None)
    household.members_count = len(members)
    household.monthly_income_total = money(sum((m.monthly_income for m in members), Decimal(0)))
    household.head_name = head.name if head else ""
    household.head_id_masked = head.id_masked if head else None
    household.has_severe_member = any(
        m.severe_illness or m.disability_grade in SEVERE_DISABILITY_GRADES for m in members
    )


def plain(value: Any) -> Any:
    """A value as JSON keeps it: money and dates as strings, enums by value."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def member_snapshot(member: HouseholdMember) -> dict[str, Any]:
    """What the history keeps of a member added or removed (the ID number masked)."""
    return {
        "name": member.name,
        "id_number_masked": member.id_masked,
        "relation": member.relation,
    }


def parse_if_match(value: str | None) -> int | None:
    """``If-Match: 3``, ``"3"`` or ``W/"3"``: the version the caller last read."""
    if value is None:
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidIfMatch()
    return int(raw)


def check_version(household: Household, expected: int | None, *, required: bool = False) -> None:
    """409 ``stale_version`` when ``If-Match`` names another version; 428 when a change
    that must name one (a PATCH or a DELETE, lest it overwrite what it never saw) did not."""
    if expected is None and required:
        raise VersionRequired(extra={"version": household.version})
    if expected is not None and expected != household.version:
        raise StaleVersion(extra={"version": household.version})


class ChangeLog:
    """The changes of one request to one household."""

    def __init__(self, household: Household) -> None:
        self.household = household
        self.rows: list[tuple[str, int | None, str, Any, Any]] = []

    def note(
        self,
        action: str,
        field: str,
        old: Any,
        new: Any,
        member: HouseholdMember | None = None,
    ) -> None:
        """Keep a change of ``field`` (nothing if the value did not change)."""
        old, new = plain(old), plain(new)
        if old != new:
            self.rows.append((action, member.id if member else None, field, old, new))

    def set(
        self,
        target: Household | HouseholdMember,
        field: str,
        new: Any,
        action: str,
        *,
        shown_as: str | None = None,
    ) -> None:
        """Set an attribute and keep the change under ``shown_as`` (default ``field``)."""
        old = getattr(target, field)
        member = target if isinstance(target, HouseholdMember) else None
        self.note(action, shown_as or field, old, new, member)
        setattr(target, field, new)

    async def save(
        self,
        session: AsyncSession,
        actor: Actor,
        audit_action: str,
        detail: dict[str, Any] | None = None,
        *,
        first: bool = False,
    ) -> bool:
        """Write the changes as one new version (version 1 for a new household); False and
        nothing written when nothing changed."""
        household = self.household
        if not self.rows:
            return False
        refresh_summary(household)
        if not first:
            household.version += 1
        session.add_all(
            HouseholdChange(
                household_id=household.id,
                member_id=member_id,
                version=household.version,
                actor_id=actor.id,
                action=action,
                field=field,
                old_value=old,
                new_value=new,
            )
            for action, member_id, field, old, new in self.rows
        )
        await audit.record(
            session,
            actor,
            audit_action,
            "household",
            household.id,
            {
                "version": household.version,
                "fields": sorted({row[2] for row in self.rows}),
                **(detail or {}),
            },
        )
        await session.flush()
        return True
