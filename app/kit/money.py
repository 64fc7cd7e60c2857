"""Money: yuan as ``Decimal``, rounded half-up to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Yuan rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
