"""Valid, unique ID numbers for synthetic people: the 6-digit place of birth, the birth date
and a 3-digit sequence whose last digit carries the sex, with the checksum computed from
precomputed partial sums (the generator makes tens of thousands a second)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

# Places of birth on ID numbers: mostly Wenjiang (and its county code before 2002), then the
# rest of Chengdu and the Sichuan counties people moved in from.
BIRTHPLACES = (
    ("510115", 34), ("510123", 16), ("510124", 6), ("510122", 5), ("510181", 4),
    ("510182", 4), ("510129", 4), ("510131", 3), ("510132", 3), ("510104", 2),
    ("510105", 2), ("510106", 2), ("510107", 2), ("510108", 2), ("511321", 2),
    ("511623", 2), ("513721", 2), ("511025", 1), ("511129", 1), ("510725", 1),
)  # fmt: skip

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _partial(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


_TWO = [f"{n:02d}" for n in range(32)]
_YEAR_SUMS = {y: _partial(str(y), _WEIGHTS[6:10]) for y in range(1800, 2200)}
_MONTH_SUMS = [_partial(f"{m:02d}", _WEIGHTS[10:12]) for m in range(13)]
_DAY_SUMS = [_partial(f"{d:02d}", _WEIGHTS[12:14]) for d in range(32)]


class Identities:
    """Unique ID numbers for one chunk (its lane), with a fast checksum."""

    def __init__(
        self,
        lane: int,
        rng: random.Random,
        existing: frozenset[str],
        keyed_hash: Callable[[str], str],
    ) -> None:
        self.lane = lane
        self.rng = rng
        self.places = [place for place, _ in BIRTHPLACES]
        # One entry per unit of weight: a draw is one index into it.
        self.place_table = [i for i, (_, weight) in enumerate(BIRTHPLACES) for _ in range(weight)]
        self.existing = existing
        self.keyed_hash = keyed_hash
        self.place_sums = [_partial(p, _WEIGHTS[:6]) for p in self.places]
        self.seq_sums = [_partial(f"{s:03d}", _WEIGHTS[14:]) for s in range(1000)]
        self.used: dict[tuple[int, int, int], int] = {}

    def make(self, born: date, male: bool) -> str:
        ordinal = born.toordinal()
        year, month, day = born.year, born.month, born.day
        digits = f"{year}{_TWO[month]}{_TWO[day]}"
        date_sum = _YEAR_SUMS[year] + _MONTH_SUMS[month] + _DAY_SUMS[day]
        sex_bit = 1 if male else 0
        table = self.place_table
        place = table[int(self.rng.random() * len(table))]
        for attempt in range(len(self.places) * 2):
            key = (place, ordinal, sex_bit)
            count = self.used.get(key, 0)
            if count < 5:
                self.used[key] = count + 1
                seq = self.lane * 10 + count * 2 + sex_bit
                first17 = f"{self.places[place]}{digits}{seq:03d}"
                total = self.place_sums[place] + date_sum + self.seq_sums[seq]
                number = first17 + _CHECK[total % 11]
                if not self.existing or self.keyed_hash(number) not in self.existing:
                    return number
            place = (place + 1 + attempt) % len(self.places)
        raise RuntimeError("ID space for this birth date is exhausted")
