"""Category decisions dated in the future take effect on their date, not before: the household
shows what is in force today and what is scheduled; the nightly job applies it on its date
(run here on the day before and on the day, with a frozen today)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from app.db.session import session_scope
from app.households.categories.scheduled import APPLY_JOB
from app.tasks import HANDLERS, PERIODIC
from tests.households.helpers import audit_actions, create_household, district, street

TODAY = date(2026, 12, 10)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.households.categories.service.local_today", lambda: TODAY)


async def _nightly(monkeypatch: pytest.MonkeyPatch, on: date) -> None:
    """The nightly job as the runner calls it, on ``on``."""
    monkeypatch.setattr("app.tasks.local_today", lambda: on)
    async with session_scope() as session:
        await HANDLERS[APPLY_JOB](session, {})


async def _decide(
    client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any
) -> httpx.Response:
    body.setdefault("reason", "入户调查核实")
    return await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)


async def _household(client: httpx.AsyncClient, headers: dict[str, str], hid: int) -> Any:
    response = await client.get(f"/staff/households/{hid}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _history(client: httpx.AsyncClient, headers: dict[str, str], hid: int) -> list[Any]:
    response = await client.get(f"/staff/households/{hid}/category-history", headers=headers)
    return list(response.json()["items"])


async def test_a_future_exit_takes_effect_on_its_date_and_not_before(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert APPLY_JOB in {p.kind for p in PERIODIC}
    worker = await street(client)
    officer = await district(client)
    hid = (await create_household(client, worker))["id"]
    enrolled = await _decide(
        client, officer, hid, action="enrol", category="dibao", effective_date="2026-12-01"
    )
    assert enrolled.json()["category"] == "dibao"
    version = enrolled.json()["version"]

    exit_ = await _decide(client, officer, hid, action="exit", effective_date="2026-12-31")
    assert exit_.status_code == 200, exit_.text
    shown = exit_.json()
    # In force today: still dibao and active; the exit is scheduled.
    assert (shown["category"], shown["status"], shown["version"]) == ("dibao", "active", version)
    assert shown["scheduled_change"]["action"] == "exit"
    assert shown["scheduled_change"]["effective_date"] == "2026-12-31"
    assert all(m["active"] for m in shown["members"])
    assert [(r["action"], r["status"]) for r in await _history(client, worker, hid)] == [
        ("exit", "scheduled"),
        ("enrol", "applied"),
    ]
    # One decision waits at a time.
    other = await _decide(
        client, officer, hid, action="change", category="tekun", effective_date="2026-12-10"
    )
    assert (other.status_code, other.json()["code"]) == (409, "category_change_scheduled")

    await _nightly(monkeypatch, date(2026, 12, 30))  # the day before: nothing happens
    before = await _household(client, worker, hid)
    assert (before["category"], before["status"]) == ("dibao", "active")
    assert before["scheduled_change"] is not None

    await _nightly(monkeypatch, date(2026, 12, 31))  # on the day
    after = await _household(client, worker, hid)
    assert (after["category"], after["category_since"], after["status"]) == (None, None, "exited")
    assert after["version"] == version + 1
    assert after["scheduled_change"] is None
    assert all(m["active"] is False for m in after["members"])
    latest = (await _history(client, worker, hid))[0]
    assert (latest["action"], latest["status"]) == ("exit", "applied")
    changes = await client.get(f"/staff/households/{hid}/changes", headers=worker)
    latest_version = [c for c in changes.json()["items"] if c["version"] == version + 1]
    assert {(c["field"], c["old_value"], c["new_value"]) for c in latest_version} == {
        ("status", "active", "exited"),
        ("category", "dibao", None),
        ("category_since", "2026-12-01", None),
    }
    assert "household.category_scheduled" in await audit_actions(hid)
    assert "household.category_applied" in await audit_actions(hid)

    await _nightly(monkeypatch, date(2027, 1, 1))  # run twice: nothing more
    assert (await _household(client, worker, hid))["version"] == version + 1


async def test_a_scheduled_change_can_be_withdrawn_before_its_date(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = await street(client)
    officer = await district(client)
    hid = (await create_household(client, worker))["id"]
    await _decide(
        client, officer, hid, action="enrol", category="dibao", effective_date="2026-12-01"
    )
    scheduled = await _decide(
        client, officer, hid, action="change", category="tekun", effective_date="2027-01-01"
    )
    assert scheduled.json()["category"] == "dibao"
    assert scheduled.json()["scheduled_change"]["category"] == "tekun"

    denied = await client.delete(f"/staff/households/{hid}/category/scheduled", headers=worker)
    assert denied.status_code == 403
    withdrawn = await client.delete(f"/staff/households/{hid}/category/scheduled", headers=officer)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["scheduled_change"] is None
    again = await client.delete(f"/staff/households/{hid}/category/scheduled", headers=officer)
    assert (again.status_code, again.json()["code"]) == (404, "scheduled_change_not_found")
    assert (await _history(client, worker, hid))[0]["status"] == "cancelled"

    await _nightly(monkeypatch, date(2027, 1, 1))
    assert (await _household(client, worker, hid))["category"] == "dibao"
