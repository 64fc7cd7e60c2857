"""The procedures' tests count over the package's years only (the end of the calendar's data
is the end of 2026), as the calendar's own tests do."""

from tests.calendar.conftest import package_years_only

__all__ = ["package_years_only"]
