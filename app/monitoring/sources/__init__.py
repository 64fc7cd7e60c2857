"""Every agency data source, one module each, listed here by name (no self-registration)."""

from __future__ import annotations

from app.monitoring.sources import (
    business,
    death,
    disability,
    housing_safety,
    income,
    medical,
    school_aid,
    unemployment,
    utility_arrears,
    vehicle,
)
from app.monitoring.sources.base import Source

SOURCES: dict[str, Source] = {
    module.SOURCE.name: module.SOURCE
    for module in (
        medical,
        death,
        disability,
        unemployment,
        utility_arrears,
        school_aid,
        housing_safety,
        vehicle,
        business,
        income,
    )
}
