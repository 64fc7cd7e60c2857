"""Bad files get a clear code and land nothing; bad rows are reported while good rows land."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

from app.config import get_settings
from app.monitoring import importer, reader
from app.monitoring.rows import FORMULA_REASON
from tests.households.helpers import count_rows
from tests.monitoring.helpers import (
    LI,
    WANG,
    ZHANG,
    district,
    imported,
    monitored_household,
    sample,
    signals,
    upload,
)

MEDICAL = "id_number,name,visit_date,inpatient,total_cost,out_of_pocket,hospital"


def _files(upload_dir: Path) -> list[Path]:
    directory = upload_dir / "imports"
    return [p for p in directory.iterdir()] if directory.exists() else []


async def test_bad_rows_are_reported_and_good_rows_land(client: httpx.AsyncClient) -> None:
    await monitored_household()
    headers = await district(client)
    bad_check = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    lines = [
        MEDICAL,
        f"{ZHANG},张大山,2026-03-02,是,100.00,40.00,温江区人民医院",  # row 2, good
        f"{bad_check},张大山,2026-03-03,是,100.00,40.00,温江区人民医院",  # 3: check digit
        f"{LI},李小花,2026-02-30,否,10,5,某医院",  # 4: no such date
        f"{LI},李小花,2099-01-01,否,10,5,某医院",  # 5: in the future
        f"{LI},李小花,2026-03-01,也许,10,5,某医院",  # 6: inpatient
        f"{LI},李小花,2026-03-01,否,10,50,某医院",  # 7: out of pocket over the total
        f"{LI},李小花,2026-03-01,否,-3,0,某医院",  # 8: negative
        f"{LI},李小花,2026-03-01",  # 9: missing columns
        f"{LI},,2026-03-01,否,10,5,某医院",  # 10: no name
        f"{LI},李小花,2026-03-01,否,=1+1,5,某医院",  # 11: a formula
        "",  # 12: a blank line, skipped
        f"{WANG},王德福,2026-05-20,否,10.5,5.25,某医院",  # 13, good, not monitored
    ]
    report = await imported(client, headers, "medical", "\n".join(lines).encode())
    assert report["status"] == "done"
    assert (report["rows_read"], report["rejected"]) == (11, 9)
    assert (report["matched"], report["unmatched"]) == (1, 1)
    errors = {e["row"]: (e["column"], e["reason"]) for e in report["errors"]}
    assert report["errors_total"] == 9
    assert errors[3] == ("id_number", "身份证号校验位不正确")
    assert errors[4] == ("visit_date", "日期不存在")
    assert errors[5] == ("visit_date", "日期不能晚于今天")
    assert errors[6][0] == "inpatient"
    assert errors[7] == ("out_of_pocket", "个人自付不能超过总费用")
    assert errors[8][0] == "total_cost"
    assert errors[9][0] == "inpatient"
    assert errors[10][0] == "name"
    assert errors[11] == ("total_cost", FORMULA_REASON)
    assert [s.row_number for s in await signals()] == [2, 13]


async def test_gbk_file_is_accepted_and_reported(client: httpx.AsyncClient) -> None:
    await monitored_household()
    headers = await district(client)
    content = sample("disability").decode().encode("gbk")
    report = await imported(client, headers, "disability", content)
    assert report["encoding"] == "gbk"
    assert (report["matched"], report["unmatched"]) == (2, 1)
    names = [s.person_name for s in await signals()]
    assert names == ["张大山", "李小花", "王德福"]
    assert [s.flag for s in await signals()] == ["肢体", "视力", "精神"]


async def test_utf8_with_bom_is_utf8(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    report = await imported(client, headers, "death", b"\xef\xbb\xbf" + sample("death"))
    assert report["encoding"] == "utf-8" and report["rows_read"] == 2 and report["rejected"] == 0


async def test_wrong_source_header_names_the_expected_one(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    headers = await district(client)
    response = await upload(client, headers, "medical", sample("death"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "header_mismatch"
    assert MEDICAL in body["message"] and "死亡" in body["message"]
    shuffled = MEDICAL.replace("name,visit_date", "visit_date,name")
    response = await upload(client, headers, "medical", (shuffled + "\n1,2,3\n").encode())
    assert response.status_code == 422 and response.json()["code"] == "header_mismatch"
    assert await count_rows_imports() == 0
    assert _files(upload_dir) == []


async def count_rows_imports() -> int:
    from app.models.monitoring import MonitoringImport

    return await count_rows(MonitoringImport)


@pytest.mark.parametrize("content", [b"", b"\n\n", (MEDICAL + "\n").encode(), b"\xef\xbb\xbf"])
async def test_empty_file_is_refused(client: httpx.AsyncClient, content: bytes) -> None:
    headers = await district(client)
    response = await upload(client, headers, "medical", content)
    assert response.status_code == 422 and response.json()["code"] == "empty_file"
    assert await count_rows_imports() == 0


async def test_binary_file_is_refused(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    response = await upload(client, headers, "medical", b"\x89PNG\r\n\x1a\n\x00\x00" * 50)
    assert response.status_code == 415 and response.json()["code"] == "unsupported_file_type"


async def test_oversized_file_is_413_and_not_kept(
    client: httpx.AsyncClient, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "import_max_mb", 1)
    headers = await district(client)
    row = f"{ZHANG},张大山,2026-03-02,是,100.00,40.00,温江区人民医院\n"
    content = (MEDICAL + "\n" + row * (1024 * 1024 // len(row.encode()) + 10)).encode()
    response = await upload(client, headers, "medical", content)
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert _files(upload_dir) == [] and await count_rows_imports() == 0


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_xlsx_imports_and_formulas_are_refused_not_evaluated(
    client: httpx.AsyncClient,
) -> None:
    await monitored_household()
    headers = await district(client)
    content = _xlsx(
        [
            MEDICAL.split(","),
            [ZHANG, "张大山", "2026-03-02", "是", 100, 40.5, "温江区人民医院"],
            [LI, "李小花", "2026-03-05", "否", "=20*10", 5, "某医院"],
            [WANG, "王德福", "2026-04-01", 1, 300, 120, '=HYPERLINK("http://x")'],
        ]
    )
    report = await imported(client, headers, "medical", content, filename="m.xlsx")
    assert report["status"] == "done" and report["encoding"] == "utf-8"
    assert (report["matched"], report["unmatched"], report["rejected"]) == (1, 0, 2)
    assert {(e["row"], e["column"], e["reason"]) for e in report["errors"]} == {
        (3, "total_cost", FORMULA_REASON),
        (4, "hospital", FORMULA_REASON),
    }
    (signal,) = await signals()
    assert str(signal.amount) == "40.50"


async def test_xlsx_with_a_wrong_header_is_refused(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    content = _xlsx([["id_number", "name", "date_of_death"], [ZHANG, "张大山", "2026-01-01"]])
    response = await upload(client, headers, "medical", content, filename="m.xlsx")
    assert response.status_code == 422 and response.json()["code"] == "header_mismatch"


async def test_zip_bomb_xlsx_is_refused_before_it_is_opened(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    headers = await district(client)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 100 * 1024
    response = await upload(client, headers, "medical", content, filename="bomb.xlsx")
    assert response.status_code == 422 and response.json()["code"] == "unsafe_spreadsheet"
    assert _files(upload_dir) == [] and await count_rows_imports() == 0


async def test_a_damaged_xlsx_is_refused(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    response = await upload(client, headers, "medical", b"PK\x03\x04" + b"garbage" * 100)
    assert response.status_code == 415


async def test_blocks_in_a_process_pool_keep_row_numbers_across_quoted_fields(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small blocks and two workers: records split between blocks only at record ends, even
    when a quoted field holds commas, quotes and a line break."""
    monkeypatch.setattr(reader, "BLOCK_BYTES", 300)
    monkeypatch.setattr(importer, "PARALLEL_FROM", 0)
    monkeypatch.setattr(get_settings(), "import_workers", 2)
    await monitored_household()
    headers = await district(client)
    lines = [MEDICAL]
    for day in range(1, 29):
        hospital = '"温江区人民医院, ""东院""\n二楼"' if day % 5 == 0 else "某医院"
        amount = "abc" if day % 7 == 0 else "10.00"
        lines.append(f"{ZHANG},张大山,2026-02-{day:02d},否,{amount},5.00,{hospital}")
    report = await imported(client, headers, "medical", "\n".join(lines).encode())
    assert report["rows_read"] == 28 and report["rejected"] == 4
    # Row numbers count records: a quoted line break stays inside its row.
    assert sorted(e["row"] for e in report["errors"]) == [8, 15, 22, 29]
    landed = await signals()
    assert len(landed) == 24
    by_row = {s.row_number: s for s in landed}
    assert by_row[6].detail["hospital"] == '温江区人民医院, "东院"\n二楼'
    assert str(by_row[6].occurred_on) == "2026-02-05"
