"""The plan of a synthetic population: how many households of which category and size, cut
into chunks that worker processes build in parallel (:mod:`app.devtools.synthetic`), and the
shapes passed to them. Imports no database code."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

LANES = 100  # the first two digits of the ID sequence: one per chunk

# Household shares by category, and the share deliberately out of step with its data.
CATEGORY_SHARES = (
    ("dibao", 0.52),
    ("dibao_edge", 0.20),
    ("tekun", 0.12),
    ("expenditure_hardship", 0.10),
    ("other_special", 0.06),
)
MISMATCH_SHARE = 0.03
FAMILY_SIZES = ((1, 7), (2, 14), (3, 23), (4, 27), (5, 18), (6, 11))

HOUSEHOLD_COLUMNS = (
    "id", "reference", "region_code", "address", "status", "category", "category_since",
    "risk_level", "risk_reason", "causes", "cause_mask", "medical_spending",
    "education_spending", "members_count", "monthly_income_total", "head_name",
    "head_id_masked", "has_severe_member", "version", "created_at", "updated_at",
)  # fmt: skip
MEMBER_COLUMNS = (
    "id", "household_id", "name", "id_enc", "id_hash", "id_masked", "birth_date", "sex",
    "relation", "disability_type", "disability_grade", "severe_illness", "chronic_illness",
    "work_capacity", "employment", "monthly_income", "income_sources", "active",
    "created_at", "updated_at",
)  # fmt: skip
CHANGE_COLUMNS = (
    "id", "household_id", "action", "category", "effective_date", "reason", "monthly_amount",
    "standard_value", "created_at", "applied_at",
)  # fmt: skip


@dataclass(frozen=True)
class RegionRules:
    """A leaf region and the standards that may apply to it, in cents (multipliers in
    ten-thousandths): for each kind, one history per region above it, nearest first."""

    code: str
    name: str
    history: dict[str, tuple[tuple[tuple[int, int], ...], ...]]

    def at(self, kind: str, on: date) -> int | None:
        """The value in force on ``on``: the nearest region's latest entry effective by then."""
        key = (on.toordinal(), math.inf)
        for entries in self.history.get(kind, ()):
            index = bisect.bisect_right(entries, key) - 1
            if index >= 0:
                return entries[index][1]
        return None

    def first(self, kind: str) -> date | None:
        starts = [entries[0][0] for entries in self.history.get(kind, ()) if entries]
        return date.fromordinal(min(starts)) if starts else None


@dataclass(frozen=True)
class Context:
    on: date
    regions: tuple[RegionRules, ...]
    reference_prefix: str
    created_at: str  # COPY text of the creation time
    data_key: str
    old_keys: tuple[str, ...]
    existing_hashes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Chunk:
    lane: int
    seed: int
    households: tuple[tuple[str | None, int, bool], ...]  # (category, size, out of step)
    first_household_id: int
    first_member_id: int
    first_change_id: int
    first_reference: int


@dataclass
class ChunkRows:
    """COPY text (``\\t`` separated, ``\\N`` for NULL) of one chunk's three tables."""

    households: str
    members: str
    changes: str
    people: int


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values = [v for v, _ in pairs]
    cumulative: list[float] = []
    total = 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def plan_households(people: int, rng: random.Random) -> list[tuple[str | None, int, bool]]:
    """Categories and sizes adding up to exactly ``people``."""
    categories, category_weights = _weighted(CATEGORY_SHARES)
    sizes, size_weights = _weighted(FAMILY_SIZES)
    category_total, size_total = category_weights[-1], size_weights[-1]
    rand = rng.random
    planned: list[tuple[str | None, int, bool]] = []
    left = people
    while left > 0:
        category = categories[bisect.bisect(category_weights, rand() * category_total)]
        if category == "tekun":
            size = 1 if rand() < 0.88 else 2
        elif category == "other_special":
            size = (1, 2, 2, 3, 3, 4)[int(rand() * 6)]
        else:
            size = sizes[bisect.bisect(size_weights, rand() * size_total)]
        size = min(size, left)
        if category == "other_special" and size == 1 and rand() < 0.5:
            category = "tekun"
        planned.append((category, size, rand() < MISMATCH_SHARE))
        left -= size
    return planned


def split_plan(
    planned: list[tuple[str | None, int, bool]],
    *,
    seed: int,
    first_household_id: int,
    first_member_id: int,
    first_change_id: int,
    first_reference: int,
    per_chunk: int,
) -> list[Chunk]:
    chunks = []
    household_id, member_id, change_id, reference = (
        first_household_id,
        first_member_id,
        first_change_id,
        first_reference,
    )
    for lane, start in enumerate(range(0, len(planned), per_chunk)):
        part = tuple(planned[start : start + per_chunk])
        chunks.append(
            Chunk(lane, seed * 1000 + lane, part, household_id, member_id, change_id, reference)
        )
        household_id += len(part)
        reference += len(part)
        member_id += sum(size for _, size, _ in part)
        # Households planned "no category yet" are decided in the chunk; reserve for all.
        change_id += len(part)
    return chunks
