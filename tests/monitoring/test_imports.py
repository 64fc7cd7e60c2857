"""Agency files imported through the API: matched by the keyed hash of the ID number to
monitored people, unmatched rows kept, the same file twice changing nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from app.kit.crypto import get_cipher
from app.models.monitoring import Signal
from app.monitoring.sources import SOURCES
from tests.helpers import login_staff
from tests.households.builders import Person, insert_household
from tests.monitoring.helpers import (
    CHILD,
    LI,
    SAMPLES,
    WANG,
    ZHANG,
    district,
    imported,
    monitored_household,
    run_job,
    sample,
    signals,
    upload,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("source", sorted(SOURCES))
async def test_every_sample_imports_and_matches_monitored_people(
    client: httpx.AsyncClient, source: str
) -> None:
    household_id = await monitored_household()
    headers = await district(client)
    content = sample(source)
    rows = content.decode().strip().splitlines()[1:]
    in_household = sum(1 for r in rows if r.startswith((ZHANG, LI)))

    report = await imported(client, headers, source, content, filename=f"{source}.csv")

    assert report["status"] == "done"
    assert report["encoding"] == "utf-8"
    assert report["rows_read"] == len(rows)
    assert report["matched"] == in_household
    assert report["unmatched"] == len(rows) - in_household
    assert report["rejected"] == 0 and report["errors"] == []
    assert report["started_at"] and report["finished_at"]
    landed = await signals(import_id=report["id"])
    assert [s.row_number for s in landed] == list(range(2, len(rows) + 2))
    cipher = get_cipher()
    for signal in landed:
        assert signal.source == source
        if signal.person_hash in (cipher.keyed_hash(ZHANG), cipher.keyed_hash(LI)):
            assert signal.household_id == household_id and signal.member_id is not None
            assert signal.region_code == "510115001001"
            assert signal.person_id_enc is None  # the member's own record holds it
        else:
            assert signal.household_id is None and signal.member_id is None
            assert signal.person_id_enc is not None
            person = cipher.decrypt(signal.person_id_enc)
            assert person in (WANG, CHILD)
            assert signal.person_hash == cipher.keyed_hash(person)
        assert signal.person_id_masked.startswith("510115") and "*" in signal.person_id_masked
        assert WANG not in str(signal.detail) and ZHANG not in str(signal.detail)


async def test_medical_rows_carry_amount_inpatient_flag_and_community(
    client: httpx.AsyncClient,
) -> None:
    await monitored_household()
    headers = await district(client)
    report = await imported(client, headers, "medical", sample("medical"))
    first, second, third = await signals(import_id=report["id"])
    assert (first.amount, first.flag, str(first.occurred_on)) == (
        Decimal("4800.00"),
        "inpatient",
        "2026-03-02",
    )
    assert first.detail == {"total_cost": "12000.00", "hospital": "温江区人民医院"}
    assert (second.amount, second.flag) == (Decimal("120.50"), "outpatient")
    # Not monitored: the row's own community routes the discovery.
    assert (third.region_code, third.address) == ("510115001002", "南江社区幸福路8号")
    assert third.amount == Decimal("21000.00")


async def test_the_same_file_twice_returns_the_first_import_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await monitored_household()
    headers = await district(client)
    first = await imported(client, headers, "medical", sample("medical"))
    again = await upload(client, headers, "medical", sample("medical"))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["status"] == "done"
    listed = await client.get("/staff/imports", headers=headers)
    assert [i["id"] for i in listed.json()["items"]] == [first["id"]]
    assert len(await signals()) == 3


async def test_the_same_rows_in_another_file_do_not_double_the_spending(
    client: httpx.AsyncClient,
) -> None:
    await monitored_household()
    headers = await district(client)
    await imported(client, headers, "medical", sample("medical"))
    # Other bytes (Windows line endings, a new row): a new import, the known rows skipped.
    rows = sample("medical").decode().strip().splitlines()
    extra = f"{ZHANG},张大山,2026-06-01,否,88.00,30.00,温江区人民医院,,"
    content = "\r\n".join([*rows, extra]).encode() + b"\r\n"
    report = await imported(client, headers, "medical", content)
    assert report["rows_read"] == 4
    assert report["duplicates"] == 3
    assert (report["matched"], report["unmatched"]) == (1, 0)
    assert len(await signals(source="medical")) == 4
    spent = sum(s.amount or 0 for s in await signals(person_hash=get_cipher().keyed_hash(ZHANG)))
    assert spent == Decimal("4830.00")


async def test_progress_fields_from_queued_to_done(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    queued = await upload(client, headers, "death", sample("death"))
    assert queued.status_code == 202
    body = queued.json()
    assert body["status"] == "queued" and body["source"] == "death"
    assert body["started_at"] is None and body["rows_read"] == 0
    await run_job(body["id"])
    done = (await client.get(f"/staff/imports/{body['id']}", headers=headers)).json()
    assert done["status"] == "done" and done["rows_read"] == 2
    assert done["started_at"] <= done["finished_at"]
    assert done["created_at"].endswith("+08:00")


async def test_only_district_officers_import_and_auditors_read(
    client: httpx.AsyncClient,
) -> None:
    street = await login_staff(client, "liucheng", "street_officer", "510115001000")
    refused = await upload(client, street, "death", sample("death"))
    assert refused.status_code == 403
    assert (await client.get("/staff/imports", headers=street)).status_code == 403
    headers = await district(client)
    created = await upload(client, headers, "death", sample("death"))
    auditor = await login_staff(client, "audit", "auditor", "510115000000")
    assert (
        await upload(client, auditor, "unemployment", sample("unemployment"))
    ).status_code == 403
    read = await client.get(f"/staff/imports/{created.json()['id']}", headers=auditor)
    assert read.status_code == 200
    assert (await client.get("/staff/imports/999999", headers=auditor)).status_code == 404
    assert (await client.post("/staff/imports")).status_code == 401


async def test_idempotency_key_replays_the_first_response(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    key = {"Idempotency-Key": "imp-1"}
    first = await upload(client, headers, "death", sample("death"), **key)
    replay = await upload(client, headers, "death", sample("death"), **key)
    assert (first.status_code, replay.status_code) == (202, 202)
    assert replay.json()["id"] == first.json()["id"]
    other = await upload(client, headers, "unemployment", sample("unemployment"), **key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_mismatch"


async def test_unknown_source_is_refused(client: httpx.AsyncClient) -> None:
    headers = await district(client)
    response = await upload(client, headers, "horoscope", sample("death"))
    assert response.status_code == 422 and response.json()["code"] == "unknown_source"


async def _cli(source: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app", "import", str(SAMPLES / "income.csv")]
    return await asyncio.to_thread(
        subprocess.run,
        [*command, "--source", source],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_command_line_import(client: httpx.AsyncClient) -> None:
    await monitored_household()
    result = await _cli("income")
    assert result.returncode == 0, result.stderr
    assert "done (utf-8): 7 rows read, 6 matched, 1 unmatched, 0 rejected" in result.stdout
    again = await _cli("income")
    assert again.returncode == 0 and "imported before" in again.stdout
    wrong = await _cli("death")
    assert wrong.returncode == 1 and "header_mismatch" in wrong.stderr
    assert len(await signals(source="income")) == 7
    headers = await district(client)
    listed = (await client.get("/staff/imports", headers=headers)).json()["items"]
    assert [(i["source"], i["status"], i["matched"]) for i in listed] == [("income", "done", 6)]


async def test_a_person_who_left_the_registry_is_unmatched_and_keeps_the_id_number(
    client: httpx.AsyncClient,
) -> None:
    """Removed from their household: unmatched, with the ID number encrypted on the signal
    (taken from their member record when the row itself skipped the encryption)."""
    await insert_household(
        "510115001001",
        [
            Person("张大山", date(1970, 5, 1), id_number=ZHANG),
            Person("李小花", date(1972, 3, 8), relation="spouse", id_number=LI, removed=True),
        ],
    )
    headers = await district(client)
    report = await imported(client, headers, "unemployment", sample("unemployment"))
    assert (report["matched"], report["unmatched"]) == (0, 2)
    cipher = get_cipher()
    landed = {s.person_hash: s for s in await signals()}
    left = landed[cipher.keyed_hash(LI)]
    assert left.member_id is None and left.household_id is None
    assert left.person_id_enc is not None and cipher.decrypt(left.person_id_enc) == LI


async def test_progress_is_committed_before_the_landing_and_one_job_runs_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an import runs its progress is visible to others (committed block by block);
    its signals land afterwards, in one transaction."""
    from sqlalchemy import func, select

    from app.db.session import session_scope
    from app.models.job import Job
    from app.models.monitoring import MonitoringImport
    from app.monitoring import repository

    seen: dict[str, object] = {}
    land = repository.land

    async def observed(*args: object, **kwargs: object) -> None:
        async with session_scope() as other:
            record = await other.get(MonitoringImport, report_id)
            assert record is not None
            seen.update(status=record.status, rows_read=record.rows_read)
            seen["signals"] = await other.scalar(select(func.count()).select_from(Signal))
        await land(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repository, "land", observed)
    headers = await district(client)
    response = await upload(client, headers, "disability", sample("disability"))
    report_id = response.json()["id"]
    async with session_scope() as session:
        (job,) = await session.scalars(select(Job))
        assert (job.kind, job.payload) == ("monitoring.import", {"import_id": report_id})
    await run_job(report_id)
    assert seen == {"status": "running", "rows_read": 3, "signals": 0}
    done = (await client.get(f"/staff/imports/{report_id}", headers=headers)).json()
    assert done["status"] == "done" and done["unmatched"] == 3


async def test_the_file_name_is_kept_without_directories_or_control_characters(
    client: httpx.AsyncClient,
) -> None:
    headers = await district(client)
    # Raw bytes, as a careless client may send them (httpx itself would escape them).
    name = "C:\\导出\\死亡\x00名单\x01.csv".encode()
    body = (
        b'--b0\r\nContent-Disposition: form-data; name="source"\r\n\r\ndeath\r\n'
        b'--b0\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + sample("death") + b"\r\n--b0--\r\n"
    )
    response = await client.post(
        "/staff/imports",
        content=body,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b0"},
    )
    assert response.status_code == 202, response.text
    assert response.json()["filename"] == "死亡名单.csv"
