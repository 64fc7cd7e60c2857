"""Resident identity numbers (居民身份证号, GB 11643-1999): checksum and birth date."""

from __future__ import annotations

import re
from datetime import date
from operator import mul

from app.kit.codes import normalise_code

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# ASCII digits only: ``\d`` would also take full-width and other scripts' digits.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# The province-level part of the division code (GB/T 2260): 11-15 north, 21-23 north-east,
# 31-37 east, 41-46 centre-south, 50-54 south-west, 61-65 north-west, 71 Taiwan, 81-82 Hong
# Kong and Macao.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 82))
PROVINCES = frozenset(
    f"{code:02d}" for low, high in _PROVINCE_RANGES for code in range(low, high + 1)
)


class InvalidIdNumber(ValueError):
    """Not a valid 18-digit resident identity number."""


_ZEROS = ord("0") * sum(_WEIGHTS)


def check_digit(first17: str) -> str:
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        # The weighted sum over the ASCII codes, less what the 17 zeros add (a million-row
        # import checks every row: this is about five times faster than int() per digit).
        return _CHECK[(sum(map(mul, first17.encode(), _WEIGHTS)) - _ZEROS) % 11]
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str, *, today: date | None = None) -> str:
    """The ID number in one form (NFKC, trimmed, upper-case ``X``: :func:`normalise_code`),
    validated; raises :class:`InvalidIdNumber` with a reason."""
    number = normalise_code(value)
    if not _SHAPE.match(number):
        raise InvalidIdNumber("身份证号应为18位，最后一位可为X")
    if number[:2] not in PROVINCES:
        raise InvalidIdNumber(f"身份证号前两位（{number[:2]}）不是有效的省级行政区划代码")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("身份证号中的出生日期无效") from exc
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdNumber("身份证号中的出生日期无效")
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位不正确")
    return number


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex(id_number: str) -> str:
    """``male`` or ``female`` from the 17th digit."""
    return "male" if int(id_number[16]) % 2 else "female"


def age_on(id_number: str, on: date) -> int:
    return age(birth_date(id_number), on)


def age(born: date, on: date) -> int:
    """Full years from ``born`` to ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def make_id_number(region: str, born: date, sequence: int) -> str:
    """A valid ID number for demo and test data (region 6 digits, sequence 0-999)."""
    first17 = f"{region[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
