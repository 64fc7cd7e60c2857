"""What a source declares: its columns, how each cell is read and checked, and how a row
becomes a signal. Cells are read by small fast parsers: a million-row file goes through them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The optional trailing columns any source may carry: the person's community, used to route
# a discovery warning about someone not yet monitored.
TRAILING = ("region_code", "address")


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to staff (Chinese).
    ``column`` names the cell when the check spans several (else the cell being read)."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.column = column


Parser = Callable[..., Any]  # a cell (and, for dates, today) to its value

# ASCII digits: ``\d`` would take other scripts' digits too (cells are NFKC-normalised first).
_DATE = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$")
_DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_MONTH = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})$")
_MONEY = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
_INT = re.compile(r"^-?[0-9]{1,9}$")
_TRUE = frozenset({"是", "1", "Y", "y", "true", "TRUE", "True"})
_FALSE = frozenset({"否", "0", "N", "n", "false", "FALSE", "False"})


def _text_of(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code_of(value: Any) -> str:
    """A cell that holds a number, date or code: as text, full-width digits and ideographic
    spaces made plain (NFKC), so ``２０２６－０３－０１`` reads like ``2026-03-01``."""
    text = _text_of(value)
    return text if text.isascii() else unicodedata.normalize("NFKC", text).strip()


def parse_date(value: Any, today: date) -> date:
    """``2026-03-01``, ``2026/3/1``, ``20260301`` or a spreadsheet date; never in the future."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        # The usual ISO form, read in C; anything else takes the general path below.
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and today >= day and day.year >= 1900:
            return day
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _code_of(value)
        match = _DATE.match(text) or _DATE_COMPACT.match(text)
        if match is None:
            raise CellError("日期格式应为 YYYY-MM-DD")
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError("日期不存在") from None
    if day > today:
        raise CellError("日期不能晚于今天")
    if day.year < 1900:
        raise CellError("日期过早")
    return day


def parse_month(value: Any, today: date) -> date:
    """``2026-03`` (or any day of that month): the first day of the month."""
    if isinstance(value, date | datetime):
        day = value.date() if isinstance(value, datetime) else value
        day = day.replace(day=1)
    else:
        text = _code_of(value)
        match = _MONTH.match(text)
        if match is None:
            return parse_date(text, today).replace(day=1)
        month = int(match[2])
        if not 1 <= month <= 12:
            raise CellError("月份不存在")
        day = date(int(match[1]), month, 1)
    if day > today:
        raise CellError("月份不能晚于本月")
    return day


_MONEY_CANONICAL = re.compile(r"(?:0|[1-9][0-9]{0,11})\.[0-9][0-9]")


def parse_money(value: Any) -> str:
    """Yuan with up to 2 decimals, not negative: returned as a decimal string (``"870.50"``)."""
    if type(value) is str and _MONEY_CANONICAL.fullmatch(value):
        return value  # already in canonical form
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise CellError("金额格式不正确") from None
        if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**12:
            raise CellError("金额应为不小于 0 的数，最多两位小数")
        return f"{amount:.2f}"
    text = _code_of(value).replace(",", "")
    if not _MONEY.match(text):
        raise CellError("金额应为不小于 0 的数，最多两位小数")
    whole, _, cents = text.partition(".")
    return f"{int(whole)}.{cents.ljust(2, '0')}"


def parse_bool(value: Any) -> bool:
    """是/否 or 1/0."""
    if isinstance(value, bool):
        return value
    text = _code_of(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("应为 是/否 或 1/0")


def int_between(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        text = _code_of(value)
        if not _INT.match(text):
            raise CellError("应为整数")
        number = int(text)
        if not low <= number <= high:
            raise CellError(f"应在 {low} 到 {high} 之间")
        return number

    return parse


def text_up_to(length: int, *, required: bool = True) -> Parser:
    def parse(value: Any) -> str:
        text = _text_of(value)
        if required and not text:
            raise CellError("不能为空")
        if len(text) > length:
            raise CellError(f"不能超过 {length} 个字")
        return text

    return parse


def one_of(*choices: str) -> Parser:
    allowed = frozenset(choices)

    def parse(value: Any) -> str:
        text = _code_of(value)
        if text not in allowed:
            raise CellError("应为 " + "、".join(choices) + " 之一")
        return text

    return parse


def cents(amount: str) -> int:
    """A canonical money string (from :func:`parse_money`) in integer cents."""
    return int(amount.replace(".", ""))


@dataclass(slots=True)
class Fields:
    """What a row says, as a signal: the date it happened and its measure."""

    occurred_on: date
    amount: str | None = None
    quantity: int | None = None
    flag: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """One agency data source: the header after ``id_number,name`` and how a row reads.

    ``columns`` maps each further column to its parser; date parsers take ``today`` too
    (named in ``dated``). ``signal`` turns the parsed values (in column order) into
    :class:`Fields`.
    """

    name: str
    title: str  # Chinese, for people
    columns: tuple[tuple[str, Parser], ...]
    signal: Callable[[list[Any]], Fields]
    dated: frozenset[str] = frozenset()
    notes: str = ""

    @property
    def header(self) -> tuple[str, ...]:
        return ("id_number", "name", *(name for name, _ in self.columns))

    def accepts(self, header: list[str]) -> bool:
        """The fixed header, optionally followed by ``region_code`` and ``address``."""
        fixed = len(self.header)
        return tuple(header[:fixed]) == self.header and tuple(header[fixed:]) in (
            (),
            TRAILING[:1],
            TRAILING,
        )
