"""Acceptance deadlines counted over the holiday calendar through HTTP, with a frozen clock:
across National Day 2026 and its make-up Saturday, and across the end of the calendar's data
(the case says its deadline is unknown, admins are alerted, the admin's edit computes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.db.session import session_scope
from app.notifications import service as notifications
from tests.calendar.support import SCHEDULE_2027, restored_calendar
from tests.helpers import application_body, login_resident, login_staff
from tests.notifications.support import runner

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISTRICT = "510115000000"
GUANGHUA = "510115001001"


@pytest.fixture
async def calendar_restored() -> AsyncIterator[None]:
    async for _ in restored_calendar():
        yield


def _freeze(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    for module in ("app.intake.creation", "app.intake.submission"):
        monkeypatch.setattr(f"{module}.now", lambda: at)


async def _submit(client: httpx.AsyncClient, code: str) -> int:
    resident = await login_resident(client, code)
    body = application_body(help_types=["medical"])
    response = await client.post("/applications", json=body, headers=resident)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _case(client: httpx.AsyncClient, headers: dict[str, str], case_id: int) -> dict:
    response = await client.get(f"/staff/applications/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_case_submitted_before_national_day_is_due_on_the_make_up_saturday(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    _freeze(monkeypatch, datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    case_id = await _submit(client, "alice")
    case = await _case(client, worker, case_id)
    # Not Monday 2026-10-05 (inside the holiday) as Monday-to-Friday counting had it.
    assert case["due_at"] == "2026-10-10T10:00:00+08:00"
    assert case["deadline_unknown"] is False
    assert case["deadline_warning"] is None


async def test_a_deadline_past_the_calendar_data_is_flagged_and_computed_once_recorded(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, calendar_restored: None
) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    _freeze(monkeypatch, datetime(2026, 12, 29, 10, 0, tzinfo=SHANGHAI))
    case_id = await _submit(client, "alice")

    case = await _case(client, worker, case_id)
    assert case["due_at"] is None
    assert case["deadline_unknown"] is True
    assert "节假日安排" in case["deadline_warning"]
    assert case["overdue"] is False
    queue = await client.get("/staff/applications", headers=worker)
    assert queue.json()["items"][0]["deadline_unknown"] is True

    # The hourly overdue job tells the admins (once), not the case workers.
    async with session_scope() as session:
        await notifications.overdue(session)
        await notifications.overdue(session)
    inbox = (await client.get("/staff/notifications", headers=admin)).json()
    assert [(i["kind"], i["record_id"]) for i in inbox["items"]] == [("deadline_unknown", case_id)]
    assert "节假日" in inbox["items"][0]["title"]
    worker_inbox = (await client.get("/staff/notifications", headers=worker)).json()
    assert worker_inbox["unread"] == 0

    # The admin records 2027; the job it queues counts the deadline: 12-30, 12-31, then
    # Monday 2027-01-04 after the New Year holiday.
    put = await client.put("/admin/calendar/2027", json=SCHEDULE_2027, headers=admin)
    assert put.status_code == 200, put.text
    await runner().run_due()
    case = await _case(client, worker, case_id)
    assert case["due_at"] == "2027-01-04T10:00:00+08:00"
    assert case["deadline_unknown"] is False
