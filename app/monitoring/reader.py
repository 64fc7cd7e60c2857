"""An import file on disk: what it is (CSV in UTF-8 or GBK, or XLSX), whether its header is
the source's, and its rows in blocks, read as a stream (memory does not grow with the file).

Checked before anything is queued: an empty file, an unknown format, a wrong header or an
unsafe spreadsheet is refused at once. An XLSX is a zip: its central directory is checked
(total uncompressed size, compression ratio of each member) before openpyxl opens it, and
openpyxl reads in read-only mode with formulas left as text (never evaluated). Python's
zipfile stops at a member's declared size (a CRC error beyond it), so the declared sizes bound
what is inflated.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import get_settings
from app.monitoring.errors import (
    EmptyImportFile,
    HeaderMismatch,
    UnsafeSpreadsheet,
    UnsupportedImportFile,
)
from app.monitoring.sources import SOURCES
from app.monitoring.sources.base import TRAILING, Source

HEAD_BYTES = 64 * 1024
BLOCK_BYTES = 1024 * 1024
XLSX_BLOCK_ROWS = 5000
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 10_000
RATIO_CHECKED_FROM = 1024 * 1024  # small members may compress very well and harm nobody


@dataclass(frozen=True)
class FileInfo:
    format: str  # csv | xlsx
    encoding: str  # utf-8 | gbk (reported); for xlsx utf-8
    codec: str  # what CSV blocks decode with: utf-8 or gb18030 (a superset of GBK)
    trailing: int  # how many of region_code, address follow the fixed header
    data_offset: int  # CSV: where the first data row starts


def _expected(source: Source) -> str:
    return ",".join(source.header)


def _check_header(source: Source, cells: list[Any]) -> int:
    header = [str(c).strip() if c is not None else "" for c in cells]
    while header and header[-1] == "":
        header.pop()
    if source.accepts(header):
        return len(header) - len(source.header)
    other = next((s for s in SOURCES.values() if s is not source and s.accepts(header)), None)
    hint = f"；这是「{other.title}」（{other.name}）的表头" if other else ""
    raise HeaderMismatch(
        f"{source.title}（{source.name}）的表头应为 {_expected(source)}"
        f"（末尾可加 {','.join(TRAILING)}）{hint}",
        extra={"expected_header": list(source.header), "optional_trailing": list(TRAILING)},
    )


def _detect_encoding(head: bytes, complete: bool) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if the head decodes as UTF-8, else GBK (read as GB18030)."""
    for codec, reported in (("utf-8", "utf-8"), ("gb18030", "gbk")):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return codec, reported
    raise UnsupportedImportFile()


def inspect(path: Path, source_name: str) -> FileInfo:
    """Refuse a file that cannot be imported as ``source_name``; describe one that can."""
    source = SOURCES[source_name]
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        complete = len(head) < HEAD_BYTES
    if not head.strip(codecs.BOM_UTF8 + b" \r\n\t"):
        raise EmptyImportFile()
    if head.startswith(ZIP_MAGIC):
        return _inspect_xlsx(path, source)
    if b"\x00" in head:
        raise UnsupportedImportFile()
    codec, reported = _detect_encoding(head, complete)
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    end = head.find(b"\n", bom)
    if end < 0 and not complete:
        raise HeaderMismatch(f"{source.title}（{source.name}）的表头应为 {_expected(source)}")
    end = len(head) if end < 0 else end + 1
    first = head[bom:end].decode(codec, errors="replace")
    header = next(csv.reader(io.StringIO(first, newline="")), [])
    trailing = _check_header(source, header)
    if not head[end:].strip(b" \r\n\t,"):
        raise EmptyImportFile()
    return FileInfo("csv", reported, codec, trailing, end)


def _check_zip(path: Path) -> None:
    settings = get_settings()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UnsupportedImportFile() from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UnsafeSpreadsheet()
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= RATIO_CHECKED_FROM and ratio > settings.import_xlsx_max_ratio:
                raise UnsafeSpreadsheet()
        if total > settings.import_xlsx_max_uncompressed_mb * 1024 * 1024:
            raise UnsafeSpreadsheet()


@contextmanager
def _open_sheet(path: Path) -> Iterator[Any]:
    """The first worksheet, read-only (streamed), formulas as their text."""
    from openpyxl import load_workbook

    # A file object: the stored file has a random name without the .xlsx suffix openpyxl wants.
    with path.open("rb") as handle:
        try:
            book = load_workbook(handle, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise UnsupportedImportFile() from exc
        try:
            if not book.worksheets:
                raise EmptyImportFile()
            yield book.worksheets[0]
        finally:
            book.close()


def _inspect_xlsx(path: Path, source: Source) -> FileInfo:
    _check_zip(path)
    with _open_sheet(path) as sheet:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise EmptyImportFile()
        trailing = _check_header(source, list(header))
        if not any(any(c not in (None, "") for c in row) for row in rows):
            raise EmptyImportFile()
    return FileInfo("xlsx", "utf-8", "utf-8", trailing, 0)


def _records_in(block: bytes) -> int:
    """How many CSV records a block of whole records holds (blank lines count as rows)."""
    if b'"' not in block:
        return block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    count, quotes = 0, 0
    for line in block.split(b"\n"):
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            count += 1
    return count - (1 if block.endswith(b"\n") else 0)


def _cut(block: bytes) -> int:
    """The end of the last whole record in ``block`` (0 if none): a newline outside quotes."""
    cut = block.rfind(b"\n") + 1
    while cut > 0 and block.count(b'"', 0, cut) % 2:
        cut = block.rfind(b"\n", 0, cut - 1) + 1
    return cut


def blocks(path: Path, info: FileInfo) -> Iterator[tuple[bytes | list[list[Any]], int]]:
    """The data rows in blocks, each with the file row number of its first row (the header is
    row 1): raw whole-record CSV bytes, or spreadsheet rows."""
    if info.format == "xlsx":
        yield from _xlsx_blocks(path)
        return
    row = 2
    with path.open("rb") as handle:
        handle.seek(info.data_offset)
        pending = b""
        while True:
            chunk = handle.read(BLOCK_BYTES)
            data = pending + chunk
            if not chunk:
                if data:
                    yield data, row
                return
            cut = _cut(data)
            if cut == 0:
                pending = data
                continue
            block, pending = data[:cut], data[cut:]
            yield block, row
            row += _records_in(block)


def _xlsx_blocks(path: Path) -> Iterator[tuple[list[list[Any]], int]]:
    with _open_sheet(path) as sheet:
        rows = sheet.iter_rows(min_row=2, values_only=True)
        block: list[list[Any]] = []
        row = 2
        for values in rows:
            block.append(list(values))
            if len(block) >= XLSX_BLOCK_ROWS:
                yield block, row
                row += len(block)
                block = []
        if block:
            yield block, row
