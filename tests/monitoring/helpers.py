"""Uploading agency files and running their imports, as the job runner would."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from app.db.session import session_scope
from app.kit.idnumber import make_id_number
from app.models.monitoring import MonitoringImport, Signal
from tests.helpers import login_staff
from tests.households.builders import Person, insert_household

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DISTRICT = "510115000000"
GUANGHUA = "510115001001"
# The people of the sample files: the first two in a monitored household, the third not.
ZHANG = make_id_number("510115", date(1970, 5, 1), 101)
LI = make_id_number("510115", date(1972, 3, 8), 102)
WANG = make_id_number("510115", date(1958, 11, 23), 103)
# 张大山's son, a pupil: the school aid sample's first row.
CHILD = make_id_number("510115", date(2014, 9, 1), 104)


async def district(client: httpx.AsyncClient, username: str = "district") -> dict[str, str]:
    return await login_staff(client, username, "district_officer", DISTRICT)


async def monitored_household() -> int:
    """张大山 and 李小花's household in 光华社区; 王德福 is in no household."""
    return await insert_household(
        GUANGHUA,
        [
            Person("张大山", date(1970, 5, 1), id_number=ZHANG),
            Person("李小花", date(1972, 3, 8), relation="spouse", id_number=LI),
        ],
    )


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    source: str,
    content: bytes,
    filename: str = "data.csv",
    **extra: str,
) -> httpx.Response:
    return await client.post(
        "/staff/imports",
        data={"source": source},
        files={"file": (filename, content, "application/octet-stream")},
        headers={**headers, **extra},
    )


async def run_job(import_id: int) -> None:
    """Run the queued jobs as a worker would (the import's among them)."""
    from app.jobs.runner import Runner
    from app.tasks import HANDLERS

    assert await Runner(HANDLERS).run_due() >= 1
    async with session_scope() as session:
        record = await session.get(MonitoringImport, import_id)
        assert record is not None and record.status in ("done", "failed")


async def imported(
    client: httpx.AsyncClient, headers: dict[str, str], source: str, content: bytes, **kw: Any
) -> dict[str, Any]:
    """Upload, run the import's job, and return the finished import."""
    response = await upload(client, headers, source, content, **kw)
    assert response.status_code == 202, response.text
    await run_job(response.json()["id"])
    report = await client.get(f"/staff/imports/{response.json()['id']}", headers=headers)
    assert report.status_code == 200, report.text
    return dict(report.json())


async def signals(**where: Any) -> list[Signal]:
    stmt = select(Signal).order_by(Signal.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Signal, name) == value)
    async with session_scope() as session:
        return list(await session.scalars(stmt))


def sample(source: str) -> bytes:
    return (SAMPLES / f"{source}.csv").read_bytes()
