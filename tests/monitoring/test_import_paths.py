"""The fast import path (blocks parsed by a process pool; on PostgreSQL COPY into the staging
table and landed block by block) and the plain one (parsed in-process, executemany, landed at
the end) land the same signals and report the same rejected rows; the bulk helpers they use
agree with the plain functions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.db.session import get_engine, session_scope
from app.kit.crypto import get_cipher
from app.kit.idnumber import check_digit, make_id_number
from app.kit.timeutil import local_today, now
from app.models.monitoring import MonitoringImport
from app.monitoring import importer, reader, repository
from tests.households.builders import Person, insert_household
from tests.monitoring.signals import new_import

HEADER = "id_number,name,visit_date,inpatient,total_cost,out_of_pocket,hospital,region_code\n"


def _file(path: Path, monitored: str) -> None:
    """Good rows (monitored and not), a quoted comma and line break, and bad rows of each
    kind, over enough lines that small blocks cut it in many places."""
    day = (local_today() - timedelta(days=10)).isoformat()
    future = (local_today() + timedelta(days=3)).isoformat()
    lines = []
    for index in range(60):
        stranger = make_id_number("510115", date(1950, 1, 1) + timedelta(days=index), index)
        wrong = stranger[:17] + ("1" if stranger[17] != "1" else "2")
        lines += [
            f"{monitored},张三,{day},是,{100 + index}.50,{index}.25,温江区人民医院,510115001001",
            f'{stranger},"王,五",{day},否,99.00,10.00,"第一行\n第二行",',
            f"{wrong},李四,{day},否,10.00,1.00,医院,",  # check digit
            f"{monitored},张三,{future},否,10.00,1.00,医院,",  # future date
            f"{monitored},张三,{day},否,10.00,11.00,医院,",  # own share over the total
            f"{monitored},张三,{day},否,=1+1,1.00,医院,",  # a formula
            f"{monitored},张三,{day},否,10.00,1.00,医院,510115001001,多余",  # extra cell
            f"{monitored},张三,{day}",  # missing cells
            "",
        ]
    lines.append(f"{monitored},张三,{day},是,100.50,0.25,温江区人民医院,510115001001")  # again
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


async def _landed(path: Path, import_id: int, *, fast: bool) -> tuple[list[Any], dict[str, Any]]:
    """The signals one path lands (rolled back after) and the progress it reports."""
    cipher = get_cipher()
    async with session_scope() as session:
        record = await session.get(MonitoringImport, import_id)
        assert record is not None
    info = reader.inspect(path, "medical")
    async with get_engine().connect() as conn:
        progress = await importer._stage(
            conn, record, path, info, fast=fast, parallel=True if fast else None
        )
        if not progress.landed:
            await repository.land(conn, "medical", import_id, now())
        rows = (
            await conn.execute(
                text("SELECT * FROM signals WHERE import_id = :id ORDER BY row_number"),
                {"id": import_id},
            )
        ).all()
        await conn.rollback()
        await repository.drop_staging(conn)
        await conn.commit()
    landed = []
    for row in rows:
        values = dict(row._mapping)
        for volatile in ("id", "created_at"):
            values.pop(volatile)
        enc = values.pop("person_id_enc")  # a new nonce each time: compare what it seals
        values["person_id"] = cipher.decrypt(enc) if enc else None
        values["amount"] = None if values["amount"] is None else f"{values['amount']:.2f}"
        if isinstance(values["detail"], str):  # SQLite's JSON read through text()
            values["detail"] = json.loads(values["detail"])
        landed.append(values)
    return landed, progress.values()


async def test_the_fast_path_and_the_plain_one_stage_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitored = make_id_number("510115", date(1980, 5, 6), 7)
    await insert_household("510115001001", [Person("张三", date(1980, 5, 6), id_number=monitored)])
    path = tmp_path / "medical.csv"
    _file(path, monitored)
    monkeypatch.setattr(reader, "BLOCK_BYTES", 700)  # many blocks, cut between records
    monkeypatch.setattr(importer, "_workers", lambda: 2)
    import_id = await new_import("medical")
    fast, fast_progress = await _landed(path, import_id, fast=True)
    plain, plain_progress = await _landed(path, import_id, fast=False)
    assert fast == plain
    assert fast_progress == plain_progress
    assert fast_progress["rows_read"] == 60 * 8 + 1
    assert fast_progress["rejected"] == 60 * 6
    assert {e["column"] for e in fast_progress["errors"]} == {
        "id_number",
        "visit_date",
        "out_of_pocket",
        "total_cost",
        "",
        "inpatient",
    }
    # Row numbers count file lines from the header (row 1); the quoted line break is one row.
    assert fast_progress["errors"][0]["row"] == 4
    assert fast_progress["errors"][0]["column"] == "id_number"
    assert [r["row_number"] for r in fast[:2]] == [2, 3]
    assert fast[1]["person_name"] == "王,五"
    assert fast[1]["detail"]["hospital"] == "第一行\n第二行"
    # A member's signal carries no ID number (the member record has it sealed); a stranger's
    # keeps theirs, sealed.
    assert fast[0]["member_id"] is not None and fast[0]["person_id"] is None
    assert fast[1]["member_id"] is None and fast[1]["person_id"] is not None
    # The repeated first row landed once.
    assert len(fast) == 60 * 2


def test_the_bulk_keyed_hash_is_the_keyed_hash() -> None:
    cipher = get_cipher()
    keyed = cipher.hasher()
    for number in ("51011519800506007X", "110105194912310021", "510115200001010000"):
        assert keyed(number) == cipher.keyed_hash(number)


def test_the_fast_check_digit_is_the_check_digit() -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for seed in range(2000):
        first17 = f"{(seed * 7919) % 10**6:06d}{19000101 + seed * 37:08d}{seed % 1000:03d}"
        total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
        assert check_digit(first17) == "10X98765432"[total % 11]
