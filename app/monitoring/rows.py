"""Rows to staged signals: each row read, checked and turned into one record, or rejected with
its row number, column and reason. Runs in pool workers on blocks of a file (pure functions of
their input and of the context set once per worker).

A staged record is, in order: row_number, row_digest, person_hash, person_id_enc,
person_id_masked, person_name, region_code, address, occurred_on, amount, quantity, flag,
detail (JSON text). The ID number itself never leaves this module unencrypted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from hashlib import sha256
from json.encoder import encode_basestring
from typing import Any

from app.kit.codes import normalise_code
from app.kit.crypto import FieldCipher, get_cipher, mask_id_number
from app.kit.idnumber import InvalidIdNumber, normalise_id_number
from app.monitoring.sources import SOURCES
from app.monitoring.sources.base import TRAILING, CellError, Source

STAGED_COLUMNS = (
    "row_number",
    "row_digest",
    "person_hash",
    "person_id_enc",
    "person_id_masked",
    "person_name",
    "region_code",
    "address",
    "occurred_on",
    "amount",
    "quantity",
    "flag",
    "detail",
)
ERRORS_KEPT = 1000  # per import; the rest are counted
FORMULA_REASON = "单元格含公式，不予计算；请导出为数值"
_REGION = re.compile(r"^[0-9]{12}$")
_quote = encode_basestring


@dataclass(frozen=True)
class Layout:
    """What a block needs to know about its file: the source, how many of the optional
    trailing columns the header has, and the day the import runs (dates after it are refused).

    ``known`` holds, sorted and unsigned, the first 64 bits of the keyed hash of every person in the
    registry (active or not): their ID number is already encrypted on their member record, so
    their rows skip the encryption (the costliest step of a row) and the landing takes the
    member's ciphertext if the person turns out not to be in an active household.
    """

    source: str
    trailing: int
    today: date
    known: array[int] | None = None


def hash_prefix(person_hash: str) -> int:
    """The first 64 bits of a hex keyed hash, unsigned (as ``known`` holds them)."""
    return int(person_hash[:16], 16)


def _known(known: array[int], person_hash: str) -> bool:
    prefix = int(person_hash[:16], 16)
    index = bisect_left(known, prefix)
    return index < len(known) and known[index] == prefix


@dataclass
class Parsed:
    records: list[tuple[Any, ...]] = field(default_factory=list)
    rows_read: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, column: str, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "reason": reason})


BAD_ENCODING_REASON = "字符编码无效（文件应为 UTF-8 或 GBK）"


def parse_rows(
    layout: Layout,
    rows: list[list[Any]],
    first_row: int,
    cipher: FieldCipher | None = None,
    check_encoding: bool = False,
    check_formulas: bool = True,
) -> Parsed:
    """Check and convert ``rows`` (cells as read), the first being file row ``first_row``.
    ``check_formulas=False`` when the block is known to hold no ``=`` at all."""
    source: Source = SOURCES[layout.source]
    cipher = cipher or get_cipher()
    keyed_hash = cipher.hasher()  # the ID number below is already normalised
    columns = [(name, parse, name in source.dated) for name, parse in source.columns]
    width = len(source.header)
    full = width + layout.trailing
    names = (*source.header, *TRAILING)
    today = layout.today
    known = layout.known
    signal = source.signal
    prefix = f"{layout.source}|"
    out = Parsed()
    number = first_row - 1
    for cells in rows:
        number += 1
        if not cells or (not cells[0] and all(c is None or c == "" for c in cells)):
            continue  # a blank line
        out.rows_read += 1
        count = len(cells)
        if count < width:
            out.reject(number, source.header[count], "缺少该列")
            continue
        if count > full and any(c not in (None, "") for c in cells[full:]):
            out.reject(number, "", f"列数多于表头（{full} 列）")
            continue
        if check_encoding:
            broken = next((i for i, c in enumerate(cells) if "\ufffd" in str(c)), None)
            if broken is not None:
                out.reject(number, names[broken] if broken < full else "", BAD_ENCODING_REASON)
                continue
        column = "id_number"
        try:
            if check_formulas:
                for index, value in enumerate(cells[:full]):
                    # Formulas are never evaluated: the row is refused (see README).
                    if isinstance(value, str) and value[:1] == "=":
                        raise CellError(FORMULA_REASON, column=names[index])
            raw_id = cells[0]
            id_number = normalise_id_number(
                raw_id if isinstance(raw_id, str) else str(raw_id), today=today
            )
            column = "name"
            name = cells[1]
            name = name.strip() if isinstance(name, str) else "" if name is None else str(name)
            if not name or len(name) > 50:
                raise CellError("姓名不能为空且不超过 50 个字")
            values = []
            index = 2
            for column, parse, dated in columns:  # noqa: B007 - named by an error
                value = cells[index]
                values.append(parse(value, today) if dated else parse(value))
                index += 1
            column = "id_number"
            fields = signal(values)
            region = address = None
            if full > width:
                column = "region_code"
                region = normalise_code(str(cells[width] or "")) or None
                if region is not None and not _REGION.match(region):
                    raise CellError("区划代码应为 12 位数字")
                if full > width + 1:
                    column = "address"
                    address = str(cells[width + 1] or "").strip()[:200] or None
        except InvalidIdNumber as exc:
            out.reject(number, "id_number", str(exc))
            continue
        except CellError as exc:
            out.reject(number, exc.column or column, str(exc))
            continue
        person_hash = keyed_hash(id_number)
        detail = _json(fields.detail)
        digest = sha256(
            f"{prefix}{person_hash}|{fields.occurred_on}|{fields.amount}|"
            f"{fields.quantity}|{fields.flag}|{detail}".encode()
        ).hexdigest()
        out.records.append(
            (
                number,
                digest,
                person_hash,
                None
                if known is not None and _known(known, person_hash)
                else cipher.encrypt(id_number),
                mask_id_number(id_number),
                name,
                region,
                address,
                fields.occurred_on,
                fields.amount,
                fields.quantity,
                fields.flag,
                detail,
            )
        )
    return out


def split_csv(data: bytes, encoding: str) -> tuple[list[list[str]], bool, bool]:
    """The records of a block of CSV (whole records only), decoded; whether some bytes did
    not decode (those rows are rejected, the others land); whether any ``=`` is in it."""
    text = data.decode(encoding, errors="replace")
    return list(csv.reader(io.StringIO(text, newline=""))), "\ufffd" in text, "=" in text


def _json(detail: dict[str, Any]) -> str:
    """``json.dumps(detail, ensure_ascii=False, sort_keys=True)``, faster for the usual
    all-text detail (the same text, so row digests do not depend on which path made it)."""
    if all(type(v) is str for v in detail.values()):
        return "{" + ", ".join(f"{_quote(k)}: {_quote(detail[k])}" for k in sorted(detail)) + "}"
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def as_copy_text(records: list[tuple[Any, ...]]) -> bytes:
    """Records as CSV for PostgreSQL's COPY (NULL is an unquoted empty field)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(records)
    return buffer.getvalue().encode()


# Per worker process: set once by the pool's initializer.
_LAYOUT: Layout | None = None
_ENCODING = "utf-8"


def init_worker(layout: Layout, encoding: str) -> None:
    global _LAYOUT, _ENCODING
    _LAYOUT, _ENCODING = layout, encoding


def work_block(data: bytes | list[list[Any]], first_row: int, as_copy: bool) -> Parsed:
    """One block of a file (raw CSV bytes or spreadsheet rows), parsed in a worker. With
    ``as_copy`` the records come back as one COPY payload (``records == [(bytes,)]``)."""
    assert _LAYOUT is not None
    if isinstance(data, bytes):
        rows, broken, formulas = split_csv(data, _ENCODING)
    else:
        rows, broken, formulas = data, False, True
    parsed = parse_rows(_LAYOUT, rows, first_row, check_encoding=broken, check_formulas=formulas)
    if as_copy:
        parsed.records = [(as_copy_text(parsed.records),)]
    return parsed
