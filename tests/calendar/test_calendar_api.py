"""``GET /calendar/due`` and ``/admin/calendar/{year}`` through HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from tests.calendar.support import SCHEDULE_2027, restored_calendar
from tests.helpers import login_staff

DISTRICT = "510115000000"
COMMUNITY = "510115001001"


@pytest.fixture
async def calendar_restored() -> AsyncIterator[None]:
    async for _ in restored_calendar():
        yield


async def test_due_dates_across_national_day_2026(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "worker1", "community_worker", COMMUNITY)
    working = await client.get(
        "/calendar/due", params={"start": "2026-09-30", "working_days": 3}, headers=worker
    )
    assert working.status_code == 200, working.text
    assert working.json() == {"start": "2026-09-30", "due": "2026-10-10", "basis": "working_days"}
    calendar = await client.get(
        "/calendar/due", params={"start": "2026-09-30", "calendar_days": 7}, headers=worker
    )
    assert calendar.json() == {"start": "2026-09-30", "due": "2026-10-08", "basis": "calendar_days"}


async def test_bad_questions_are_422_with_a_code(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "worker1", "community_worker", COMMUNITY)
    for params, code in (
        ({"start": "2026-09-30"}, "period_required"),
        ({"start": "2026-09-30", "working_days": 3, "calendar_days": 7}, "period_required"),
        ({"start": "2026-09-31", "working_days": 3}, "validation_error"),
        ({"start": "2026-09-30", "working_days": 0}, "validation_error"),
        ({"start": "2026-09-30", "calendar_days": 400}, "validation_error"),
    ):
        response = await client.get("/calendar/due", params=params, headers=worker)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["code"] == code, params
    assert (await client.get("/calendar/due", params={"start": "2026-09-30"})).status_code == 401


async def test_past_the_data_is_422_until_an_admin_records_the_year(
    client: httpx.AsyncClient, calendar_restored: None
) -> None:
    worker = await login_staff(client, "worker1", "community_worker", COMMUNITY)
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    for far in ("9999-12-31", "1999-01-01"):
        edge = await client.get(
            "/calendar/due", params={"start": far, "calendar_days": 1}, headers=worker
        )
        assert (edge.status_code, edge.json()["code"]) == (422, "calendar_out_of_range")
    question = {"start": "2026-12-30", "working_days": 3}
    refused = await client.get("/calendar/due", params=question, headers=worker)
    assert refused.status_code == 422
    assert refused.json()["code"] == "calendar_out_of_range"
    assert refused.json()["year"] == 2027
    assert "2027" in refused.json()["message"]

    missing = await client.get("/admin/calendar/2027", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "calendar_year_not_found"
    denied = await client.put("/admin/calendar/2027", json=SCHEDULE_2027, headers=worker)
    assert denied.status_code == 403

    put = await client.put("/admin/calendar/2027", json=SCHEDULE_2027, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["source"] == "admin"
    assert put.json()["make_up_days"] == [{"date": "2027-02-14", "name": "春节调休"}]
    assert len(put.json()["holidays"]) == 11

    # 2026-12-31 (Thu), then 2027-01-01..03 off, then Monday the 4th and Tuesday the 5th.
    answered = await client.get("/calendar/due", params=question, headers=worker)
    assert answered.json()["due"] == "2027-01-05"
    spring = await client.get(
        "/calendar/due", params={"start": "2027-02-04", "working_days": 1}, headers=worker
    )
    assert spring.json()["due"] == "2027-02-14"  # the make-up Sunday

    from app.db.session import session_scope

    async with session_scope() as session:
        entries = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.update"))
        ).all()
    assert [(e.record_id, e.detail["created"], e.detail["holidays"]) for e in entries] == [
        ("2027", True, 11)
    ]


async def test_an_admin_reads_a_seeded_year_and_bad_schedules_are_refused(
    client: httpx.AsyncClient, calendar_restored: None
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    year = await client.get("/admin/calendar/2026", headers=admin)
    assert year.status_code == 200
    assert year.json()["source"].startswith("chinesecalendar ")
    assert {"date": "2026-10-10", "name": "国庆节调休"} in year.json()["make_up_days"]
    assert {"date": "2026-10-01", "name": "国庆节"} in year.json()["holidays"]

    for body, code in (
        ({"holidays": [{"date": "2026-01-01"}]}, "calendar_day_outside_year"),
        (
            {"holidays": [{"date": "2027-01-01"}], "make_up_days": [{"date": "2027-01-04"}]},
            "validation_error",
        ),
        ({"holidays": []}, "validation_error"),
    ):
        response = await client.put("/admin/calendar/2027", json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code
