"""The tekun care arrangement (分散供养 / 集中供养) on the registry: set with a tekun decision,
changed by staff on the household (versioned, audited), refused for any other category, and
left behind when the household leaves tekun (at once or on a scheduled decision's date)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from app.db.session import session_scope
from app.households.categories.scheduled import APPLY_JOB
from app.tasks import HANDLERS
from tests.households.helpers import audit_actions, create_household, district, street

TODAY = date(2026, 12, 10)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.households.categories.service.local_today", lambda: TODAY)


async def _decide(
    client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any
) -> httpx.Response:
    body.setdefault("reason", "入户调查核实")
    body.setdefault("effective_date", "2026-12-01")
    return await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)


async def _patch(
    client: httpx.AsyncClient, headers: dict[str, str], household: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.patch(
        f"/staff/households/{household['id']}",
        json=body,
        headers={**headers, "If-Match": str(household["version"])},
    )


async def _changes(client: httpx.AsyncClient, headers: dict[str, str], hid: int) -> list[Any]:
    response = await client.get(f"/staff/households/{hid}/changes", headers=headers)
    return [
        (c["field"], c["old_value"], c["new_value"])
        for c in response.json()["items"]
        if c["field"] == "care_arrangement"
    ]


async def test_set_with_the_decision_changed_by_staff_and_cleared_on_leaving(
    client: httpx.AsyncClient,
) -> None:
    worker = await street(client)
    officer = await district(client)
    hid = (await create_household(client, worker))["id"]

    # Not tekun: refused with its code, on the decision and on the household.
    dibao = await _decide(
        client, officer, hid, action="enrol", category="dibao", care_arrangement="dispersed"
    )
    assert (dibao.status_code, dibao.json()["code"]) == (422, "care_arrangement_not_tekun")
    dibao = await _decide(client, officer, hid, action="enrol", category="dibao")
    assert dibao.status_code == 200 and dibao.json()["care_arrangement"] is None
    refused = await _patch(client, worker, dibao.json(), care_arrangement="centralized")
    assert (refused.status_code, refused.json()["code"]) == (422, "care_arrangement_not_tekun")
    bad = await _decide(
        client, officer, hid, action="change", category="tekun", care_arrangement="x"
    )
    assert bad.status_code == 422

    tekun = await _decide(
        client,
        officer,
        hid,
        action="change",
        category="tekun",
        effective_date="2026-12-02",
        care_arrangement="dispersed",
    )
    assert tekun.status_code == 200, tekun.text
    assert (tekun.json()["category"], tekun.json()["care_arrangement"]) == ("tekun", "dispersed")

    # Staff move the person into a care home: a new version, in the history and the audit.
    moved = await _patch(client, worker, tekun.json(), care_arrangement="centralized")
    assert moved.status_code == 200, moved.text
    assert moved.json()["care_arrangement"] == "centralized"
    assert moved.json()["version"] == tekun.json()["version"] + 1
    listed = await client.get("/staff/households", headers=worker)
    assert [i["care_arrangement"] for i in listed.json()["items"]] == ["centralized"]
    cleared = await _patch(client, worker, moved.json(), care_arrangement=None)
    assert cleared.status_code == 200 and cleared.json()["care_arrangement"] is None
    again = await _patch(client, worker, cleared.json(), care_arrangement="centralized")
    assert again.status_code == 200

    # Leaving tekun leaves the arrangement behind.
    back = await _decide(
        client, officer, hid, action="change", category="dibao", effective_date="2026-12-03"
    )
    assert (back.json()["category"], back.json()["care_arrangement"]) == ("dibao", None)
    assert await _changes(client, officer, hid) == [
        ("care_arrangement", "centralized", None),
        ("care_arrangement", None, "centralized"),
        ("care_arrangement", "centralized", None),
        ("care_arrangement", "dispersed", "centralized"),
        ("care_arrangement", None, "dispersed"),
    ]
    assert (await audit_actions(hid)).count("household.update") == 3

    exit_with = await _decide(client, officer, hid, action="exit", care_arrangement="dispersed")
    assert exit_with.status_code == 422


async def test_a_scheduled_decision_leaves_it_behind_on_its_date(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = await street(client)
    officer = await district(client)
    hid = (await create_household(client, worker))["id"]
    enrolled = await _decide(
        client, officer, hid, action="enrol", category="tekun", care_arrangement="centralized"
    )
    assert enrolled.json()["care_arrangement"] == "centralized"
    # An arrangement is recorded when a decision is in force, not with one waiting its date.
    early = await _decide(
        client,
        officer,
        hid,
        action="change",
        category="tekun",
        effective_date="2027-01-01",
        care_arrangement="dispersed",
    )
    assert (early.status_code, early.json()["code"]) == (422, "care_arrangement_scheduled")
    waiting = await _decide(
        client, officer, hid, action="exit", effective_date="2027-01-01", reason="迁出本区"
    )
    assert waiting.status_code == 200 and waiting.json()["care_arrangement"] == "centralized"

    monkeypatch.setattr("app.tasks.local_today", lambda: date(2027, 1, 1))
    async with session_scope() as session:
        await HANDLERS[APPLY_JOB](session, {})
    response = await client.get(f"/staff/households/{hid}", headers=officer)
    assert (response.json()["status"], response.json()["care_arrangement"]) == ("exited", None)
    assert (await _changes(client, officer, hid))[0] == ("care_arrangement", "centralized", None)
