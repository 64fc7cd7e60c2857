"""The staff inbox through HTTP: assignments, red warnings in the jurisdiction, overdue items;
unread count, pages, mark read; each worker sees only their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.db.session import session_scope
from app.kit.timeutil import now
from app.models import EarlyWarning
from app.notifications import service
from tests.helpers import login_staff, staff_id
from tests.intake.support import set_application
from tests.notifications.support import application, resident_with_application, runner

WENJIANG = "510115000000"
LIUCHENG = "510115001000"
GUANGHUA = "510115001001"
GONGPING = "510115002000"


async def _inbox(client: httpx.AsyncClient, headers: dict[str, str], **params: object) -> Any:
    response = await client.get("/staff/notifications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_assignment_reaches_the_assignee_and_only_them(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    other = await login_staff(client, "guanghua2", "community_worker", GUANGHUA)
    worker_id = await staff_id(client, worker)
    _resident, application_id = await resident_with_application(client)
    case = await application(application_id)
    case.assignee_id = worker_id
    async with session_scope() as session:
        for _ in range(3):
            assert await service.case_assigned(session, case) is not None

    first = await _inbox(client, worker, limit=2)
    assert first["unread"] == 3
    items = first["items"]
    assert isinstance(items, list) and len(items) == 2
    assert items[0]["kind"] == "case_assigned" and items[0]["title"] == "新分派的求助案件"
    assert items[0]["record_type"] == "application" and items[0]["record_id"] == application_id
    assert items[0]["read_at"] is None and items[0]["created_at"].endswith("+08:00")
    second = await _inbox(client, worker, limit=2, cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None

    target = items[0]["id"]
    assert (
        await client.post(f"/staff/notifications/{target}/read", headers=other)
    ).status_code == 404
    assert (
        await client.post(f"/staff/notifications/{target}/read", headers=worker)
    ).status_code == 204
    after = await _inbox(client, worker)
    assert after["unread"] == 2
    assert len((await _inbox(client, worker, unread=True))["items"]) == 2
    assert (await client.post("/staff/notifications/read-all", headers=worker)).status_code == 204
    assert (await _inbox(client, worker))["unread"] == 0
    assert (await _inbox(client, other)) == {"items": [], "next_cursor": None, "unread": 0}
    assert (await client.get("/staff/notifications")).status_code == 401


async def test_a_red_warning_reaches_the_officers_whose_area_covers_it(
    client: httpx.AsyncClient,
) -> None:
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    other_street = await login_staff(client, "gongping1", "street_officer", GONGPING)
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    async with session_scope() as session:
        red = EarlyWarning(id=41, level="red", region_code=GUANGHUA)
        yellow = EarlyWarning(id=42, level="yellow", region_code=GUANGHUA)
        assert await service.red_warning(session, red) == 2
        assert await service.red_warning(session, red) == 0  # told once
        assert await service.red_warning(session, yellow) == 0
    for headers in (street, district):
        [item] = (await _inbox(client, headers))["items"]
        assert (item["kind"], item["record_type"], item["record_id"]) == (
            "red_warning",
            "warning",
            41,
        )
    assert (await _inbox(client, other_street))["unread"] == 0
    assert (await _inbox(client, worker))["unread"] == 0


async def test_overdue_applications_are_told_once_by_the_periodic_job(
    client: httpx.AsyncClient,
) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    other_street = await login_staff(client, "gongping1", "street_officer", GONGPING)
    _resident, late = await resident_with_application(client, "late")
    _resident, soon = await resident_with_application(client, "soon")
    _resident, later = await resident_with_application(client, "later")
    await set_application(late, due_at=now() - timedelta(hours=1))
    await set_application(soon, due_at=now() + timedelta(hours=5))
    await set_application(later, due_at=now() + timedelta(days=3))
    async with session_scope() as session:
        await service.overdue(session)
        await service.overdue(session)
    items = (await _inbox(client, worker))["items"]
    assert sorted((i["kind"], i["record_id"], i["title"]) for i in items) == [
        ("application_due_soon", soon, "求助案件即将超时"),
        ("application_overdue", late, "求助案件已超时"),
    ]
    assert (await _inbox(client, other_street))["unread"] == 0
    # The limit passes: the case that was about to pass is now told overdue, once.
    async with session_scope() as session:
        await service.overdue(session, now() + timedelta(hours=6))
        await service.overdue(session, now() + timedelta(hours=7))
    kinds = sorted((i["kind"], i["record_id"]) for i in (await _inbox(client, worker))["items"])
    assert kinds == [
        ("application_due_soon", soon),
        ("application_overdue", late),
        ("application_overdue", soon),
    ]
    # The periodic job is declared and runs through the runner.
    from app.tasks import PERIODIC

    assert service.OVERDUE_JOB in {p.kind for p in PERIODIC}
    worker_runner = runner()
    await worker_runner.schedule_periodic()
    await worker_runner.run_due()
    assert (await _inbox(client, worker))["unread"] == 3


async def test_verifications_about_to_pass_or_past_reach_their_assignee_once(
    client: httpx.AsyncClient,
) -> None:
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    other = await login_staff(client, "guanghua2", "community_worker", GUANGHUA)
    worker_id = await staff_id(client, worker)
    at = now()
    async with session_scope() as session:
        for number, (status, due_in) in enumerate(
            [
                ("dispatched", timedelta(hours=-2)),  # past
                ("dispatched", timedelta(hours=3)),  # about to pass
                ("dispatched", timedelta(days=5)),  # not yet
                ("verified", timedelta(hours=-2)),  # done: nothing to tell
            ],
            start=1,
        ):
            session.add(
                EarlyWarning(
                    id=900 + number,
                    rule_code="need_unemployment",
                    rule_class="need",
                    level="orange",
                    status=status,
                    subject_key=f"p:{number}",
                    region_code=GUANGHUA,
                    assignee_id=worker_id,
                    dispatched_at=at - timedelta(days=1),
                    due_at=at + due_in,
                )
            )
    async with session_scope() as session:
        await service.overdue(session)
        await service.overdue(session)
    items = (await _inbox(client, worker))["items"]
    assert sorted((i["kind"], i["record_id"], i["title"]) for i in items) == [
        ("warning_due_soon", 902, "预警核查即将超时"),
        ("warning_overdue", 901, "预警核查已超时"),
    ]
    assert (await _inbox(client, other))["unread"] == 0
