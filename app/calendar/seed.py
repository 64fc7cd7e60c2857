"""The State Council's holiday schedules as the ``chinesecalendar`` package records them (read
from the installed package: nothing is downloaded at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version


@dataclass(frozen=True)
class SeedDay:
    day: date
    kind: str  # holiday | workday
    name: str


def package_source() -> str:
    """``chinesecalendar 1.11.0``: what a seeded year records as its source."""
    return f"chinesecalendar {version('chinesecalendar')}"


def package_days() -> dict[int, list[SeedDay]]:
    """Every year the package has a schedule for, with its holidays and make-up days."""
    from chinese_calendar import constants

    chinese = {h.value: h.chinese for h in constants.Holiday}
    years: dict[int, list[SeedDay]] = {}
    for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays)):
        for day, name in table.items():
            label = chinese.get(name, name)
            years.setdefault(day.year, []).append(
                SeedDay(day, kind, label if kind == "holiday" else f"{label}调休")
            )
    return {year: sorted(days, key=lambda d: d.day) for year, days in sorted(years.items())}
