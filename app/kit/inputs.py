"""Field types for request bodies and parameters: identifiers brought to one form before they
are checked (:func:`app.kit.codes.normalise_code`), and dates held to a sane window.

Every schema that takes an ID number, a phone, a region code or another typed code uses these,
so a full-width ``５１０１１５…`` is the same person as ``510115…`` at every entry point."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from app.kit.codes import normalise_code
from app.kit.idnumber import InvalidIdNumber, normalise_id_number
from app.kit.timeutil import local_today

# ASCII digits written out: ``\d`` in Pydantic's patterns also matches full-width digits.
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
REGION_PATTERN = r"^[0-9]{12}$"


def code_before(value: Any) -> Any:
    """NFKC, trimmed, upper-cased; anything but text is left for the type check to refuse."""
    return normalise_code(value) if isinstance(value, str) else value


def _text_before(value: Any) -> Any:
    return normalise_code(value, upper=False) if isinstance(value, str) else value


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str) and normalise_code(value) == "":
        return None
    return value


def _id_number(value: str) -> str:
    try:
        return normalise_id_number(value)
    except InvalidIdNumber as exc:
        raise ValueError(str(exc)) from exc


IdNumber = Annotated[
    str,
    BeforeValidator(code_before),
    StringConstraints(min_length=1, max_length=18),
    AfterValidator(_id_number),
]
"""An 18-digit resident ID number: normalised, province, birth date and checksum validated."""

OptionalIdNumber = Annotated[IdNumber | None, BeforeValidator(_blank_is_none)]
"""An ID number, or ``None`` when absent or blank (``""``, ``"　"``)."""

Phone = Annotated[str, BeforeValidator(code_before), StringConstraints(pattern=PHONE_PATTERN)]
"""A mobile (``13800001234``) or landline (``028-12345678``) number, normalised."""

RegionCode = Annotated[str, BeforeValidator(code_before), StringConstraints(pattern=REGION_PATTERN)]
"""A 12-digit administrative division code, normalised."""

Code = Annotated[str, BeforeValidator(_text_before)]
"""Another code people type (a decision number): NFKC and trimmed, case kept."""


# ---- date windows ----

EARLIEST = date(2000, 1, 1)
EFFECTIVE_AHEAD = timedelta(days=366)
LEDGER_AHEAD = timedelta(days=31)


def effective_window(today: date | None = None) -> tuple[date, date]:
    """Effective dates (standards, categories, visit policies): 2000-01-01 to a year ahead."""
    today = today or local_today()
    return EARLIEST, today + EFFECTIVE_AHEAD


def ledger_window(today: date | None = None) -> tuple[date, date]:
    """Ledger dates (a benefit received or scheduled): 2000-01-01 to 31 days ahead."""
    today = today or local_today()
    return EARLIEST, today + LEDGER_AHEAD


def _within(what: str, window: tuple[date, date], value: date) -> date:
    earliest, latest = window
    if not earliest <= value <= latest:
        raise ValueError(f"{what}须在 {earliest.isoformat()} 至 {latest.isoformat()} 之间")
    return value


def _effective(value: date) -> date:
    return _within("生效日期", effective_window(), value)


def _ledger(value: date) -> date:
    return _within("台账日期", ledger_window(), value)


EffectiveDate = Annotated[date, AfterValidator(_effective)]
"""A date a decision or standard takes effect: from 2000-01-01 to one year after today."""

LedgerDate = Annotated[date, AfterValidator(_ledger)]
"""The date of a ledger entry: from 2000-01-01 to 31 days after today."""
