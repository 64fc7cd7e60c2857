"""Jurisdiction: a region and its whole subtree, the one place every staff query goes through.

Division codes are hierarchical (GB/T 2260 and the statistical village codes): province 2 digits,
city 4, county or district 6, street or town 9, community or village 12. A region's subtree is
every code sharing its significant prefix, a range that an ordinary index serves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

CODE_LENGTH = 12
_SIGNIFICANT = (2, 4, 6, 9, 12)


def significant_prefix(code: str) -> str:
    for digits in _SIGNIFICANT:
        if code[digits:] == "0" * (CODE_LENGTH - digits):
            return code[:digits]
    return code


def subtree_bounds(code: str) -> tuple[str, str]:
    prefix = significant_prefix(code)
    pad = CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def in_subtree(column: Any, code: str) -> ColumnElement[bool]:
    """SQL: ``column`` is ``code`` or a region below it."""
    low, high = subtree_bounds(code)
    return column.between(low, high)


def covers(ancestor: str, code: str) -> bool:
    """Python: ``code`` lies in ``ancestor``'s subtree."""
    low, high = subtree_bounds(ancestor)
    return low <= code <= high


def ancestors(code: str) -> list[str]:
    """The region and every region above it, most specific first."""
    prefix = significant_prefix(code)
    chain = [prefix + "0" * (CODE_LENGTH - len(prefix))]
    for digits in reversed(_SIGNIFICANT):
        if digits < len(prefix):
            chain.append(prefix[:digits] + "0" * (CODE_LENGTH - digits))
    return chain
