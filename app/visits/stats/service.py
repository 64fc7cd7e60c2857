"""Visit figures for a period, per group, and the totals over the caller's jurisdiction.

- ``due``: visits whose due date falls in the period: those made (on time or late) and those
  still owed (the households' current due dates in the period).
- ``done_on_time`` / ``done_late``: made on or before / after the date they were due.
- ``overdue``: owed, and the due date is already past.
- ``on_time_share``: done on time / due.
- ``households`` / ``households_within_cycle``: active households and those not overdue today
  (visited within their cycle); per month only in the totals (a household is not in a month).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actor import Actor
from app.kit.timeutil import local_today
from app.visits.stats import repository
from app.visits.stats.repository import GroupBy

FIELDS = ("due", "done_on_time", "done_late", "overdue", "households", "households_within_cycle")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(row: dict[str, Any], with_households: bool) -> dict[str, Any]:
    row["on_time_share"] = _share(row["done_on_time"], row["due"])
    if with_households:
        row["households_within_cycle_share"] = _share(
            row["households_within_cycle"], row["households"]
        )
    else:
        row["households"] = row["households_within_cycle"] = None
        row["households_within_cycle_share"] = None
    return row


async def figures(
    session: AsyncSession, actor: Actor, group_by: GroupBy, start: date, end: date
) -> dict[str, Any]:
    """Figures per group (sorted by key; ``null`` key: households nobody is assigned to)."""
    today = local_today()
    groups: dict[str | None, dict[str, int]] = {}

    def group(key: str | None) -> dict[str, int]:
        return groups.setdefault(key, dict.fromkeys(FIELDS, 0))

    for key, on_time, late in await repository.made(session, actor, group_by, start, end):
        g = group(key)
        g["done_on_time"] += int(on_time)
        g["done_late"] += int(late)
        g["due"] += int(on_time) + int(late)
    owed = await repository.owed(session, actor, group_by, start, end, today)
    for key, pending, overdue, households, within in owed:
        g = group(key)
        g["due"] += int(pending)
        g["overdue"] += int(overdue)
        g["households"] += int(households)
        g["households_within_cycle"] += int(within)
    with_households = group_by != GroupBy.month
    totals = dict.fromkeys(FIELDS, 0)
    for g in groups.values():
        for field in FIELDS:
            totals[field] += g[field]
    totals["households"], totals["households_within_cycle"] = await repository.households_now(
        session, actor, today
    )
    items = [
        _finish({"key": key, **g}, with_households)
        for key, g in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        if with_households or g["due"]
    ]
    return {
        "group_by": group_by.value,
        "from": start,
        "to": end,
        "today": today,
        "totals": _finish(totals, True),
        "items": items,
    }
