"""Statutory procedure steps about to pass and past their due date reach the case's assignee
(or, with none, the triage staff covering the case) once per step and due date, from the
hourly overdue job; periods running out and paused procedures are not told."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
import pytest

from app.db.session import session_scope
from app.models.procedure import PERIOD_STEPS
from app.notifications import service
from app.procedures.spec import STEPS
from tests.calendar.conftest import package_years_only
from tests.helpers import login_staff
from tests.intake.support import set_application
from tests.procedures.support import SHANGHAI, Case, freeze, step_of

__all__ = ["package_years_only"]

GONGPING = "510115002000"


async def _told(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, int, str]]:
    response = await client.get("/staff/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return sorted(
        (i["kind"], i["record_id"], i["title"])
        for i in response.json()["items"]
        if i["kind"].startswith("procedure_step_")
    )


async def _run(at: datetime) -> None:
    async with session_scope() as session:
        await service.overdue(session, at)
        await service.overdue(session, at)  # the hourly job again: nothing told twice


async def _dibao(client: httpx.AsyncClient, name: str) -> Case:
    case = await Case(client).open(name=name)
    await case.transition("accept", case.worker)
    await case.start("dibao")
    return case


def test_period_steps_are_the_specs_periods() -> None:
    assert set(PERIOD_STEPS) == {s.code for steps in STEPS.values() for s in steps if s.period}


async def test_steps_about_to_pass_and_past_reach_the_assignee_or_the_triage_staff(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 10, 12))
    assigned = await _dibao(client, "钱甲")
    unassigned = await _dibao(client, "钱乙")
    paused = await _dibao(client, "钱丙")
    other_street = await login_staff(client, "gongping-alerts", "street_officer", GONGPING)
    # Accepting a case makes the worker who accepted it its assignee; the second case's
    # assignee is cleared (the worker left), so it falls to the triage staff covering it.
    await set_application(unassigned.id, assignee_id=None)
    for case in (assigned, unassigned):
        # The survey is due 3 working days after the acceptance.
        assert step_of(await case.view(), "survey")["due_on"] == "2026-10-15"
    response = await client.post(
        f"/staff/applications/{paused.id}/procedure/pause",
        json={"reason": "补正材料"},
        headers=paused.worker,
    )
    assert response.status_code == 200, response.text

    # Two days before: nothing yet.
    await _run(datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI))
    assert await _told(client, assigned.worker) == []

    # The day it is due: about to pass.
    await _run(datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI))
    soon: list[Any] = [("procedure_step_due_soon", unassigned.id, "法定程序步骤即将到期")]
    assigned_soon = [("procedure_step_due_soon", assigned.id, "法定程序步骤即将到期")]
    # The assignee of the assigned case; the unassigned case goes to every triage staff
    # member covering it (community workers there and the street officers over them).
    assert await _told(client, assigned.worker) == sorted(assigned_soon + soon)
    for headers in (assigned.worker2, unassigned.worker, assigned.street, unassigned.street):
        assert await _told(client, headers) == soon
    assert await _told(client, paused.worker) == soon  # its own case is paused
    # Not triage staff, or outside the area: nothing.
    assert await _told(client, unassigned.officer) == []
    assert await _told(client, other_street) == []

    # The survey of the assigned case is done; the other's is now past its date.
    freeze(monkeypatch, date(2026, 10, 15))
    await assigned.step("survey", surveyors=assigned.surveyors, on="2026-10-15")
    await _run(datetime(2026, 10, 16, 9, 0, tzinfo=SHANGHAI))
    late = [("procedure_step_overdue", unassigned.id, "法定程序步骤已超期")]
    assert await _told(client, assigned.worker) == sorted(assigned_soon + soon + late)
    assert await _told(client, unassigned.street) == sorted(soon + late)
    assert await _told(client, paused.worker) == sorted(soon + late)
