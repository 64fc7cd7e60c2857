"""Tekun (spot-check share, care arrangement, termination after a 7-day notice), a stop dated
in the future taking effect on its date and not before, rigid-spending validity and its
re-check, temporary aid paid first within a worker's limit; idempotent steps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.db.session import session_scope
from app.households.categories.scheduled import apply_due
from app.models.application import Application
from app.models.household import Household
from app.models.procedure import Procedure
from app.models.visit import VisitSchedule
from app.schedules.recompute import recompute_household
from tests.procedures.support import SHANGHAI, Case, freeze, pdf_text, step_of


async def _household(client: httpx.AsyncClient, case: Case) -> dict[str, Any]:
    found = await client.get(
        "/staff/households", params={"q": case.id_number}, headers=case.officer
    )
    assert found.status_code == 200, found.text
    (item,) = found.json()["items"]
    response = await client.get(f"/staff/households/{item['id']}", headers=case.officer)
    return dict(response.json())


async def _dibao_approved(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, name: str
) -> Case:
    freeze(monkeypatch, date(2026, 10, 12))
    case = await Case(client).open(name=name)
    await case.transition("accept", case.worker)
    await case.start("dibao")
    await case.step("survey", surveyors=case.surveyors)
    await case.transition("start_investigation", case.worker)
    await case.step("check_request")
    await case.step("check")
    await case.transition("submit_review", case.worker)
    await case.step("notice")
    freeze(monkeypatch, date(2026, 10, 19))
    await case.step("notice_end")
    await case.step("confirm", case.officer, outcome="approve", monthly_amount="500.00")
    return case


async def test_a_future_stop_takes_effect_on_its_date_and_not_before(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _dibao_approved(client, monkeypatch, "王小红")
    freeze(monkeypatch, date(2026, 11, 2))
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/stop",
        json={
            "action": "stop",
            "effective_date": "2026-12-01",
            "reasons": "家庭成员就业，人均收入超过低保标准",
        },
        headers=case.officer,
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["outcome"] == "stopped" and view["stopped_on"] == "2026-12-01"
    kinds = [d["kind"] for d in view["documents"]]
    # A written notice to the household; no public notice for a stop.
    assert kinds == ["notice", "decision", "stop_notice"]
    stop_notice = view["documents"][-1]
    pdf = await client.get(
        f"/applications/{case.id}/documents/{stop_notice['id']}", headers=case.resident
    )
    text = pdf_text(pdf.content)
    assert "停发告知书" in text and "家庭成员就业" in text and "2026年12月1日" in text

    household = await _household(client, case)
    assert household["category"] == "dibao" and household["status"] == "active"
    assert household["scheduled_change"]["action"] == "exit"
    at = datetime(2026, 11, 30, 0, 1, tzinfo=SHANGHAI)
    async with session_scope() as session:
        assert await apply_due(session, date(2026, 11, 30), at) == 0
    assert (await _household(client, case))["status"] == "active"
    async with session_scope() as session:
        assert await apply_due(session, date(2026, 12, 1), at) == 1
    household = await _household(client, case)
    assert household["status"] == "exited" and household["category"] is None
    far = await client.post(
        f"/staff/applications/{case.id}/procedure/stop",
        json={"action": "stop", "effective_date": "2100-01-01", "reasons": "日期过远"},
        headers=case.officer,
    )
    assert far.status_code == 422
    again = await client.post(
        f"/staff/applications/{case.id}/procedure/stop",
        json={"action": "stop", "effective_date": "2026-12-01", "reasons": "重复提交"},
        headers=case.officer,
    )
    assert again.status_code == 409


async def test_tekun_spot_check_care_arrangement_and_termination_after_notice(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 21))
    case = await Case(client).open(name="赵老汉")
    await case.transition("accept", case.worker)
    view = await case.start("tekun")
    # 15 working days over National Day 2026 (and its make-up Saturday 10-10).
    assert step_of(view, "first_review")["due_on"] == "2026-10-19"
    assert view["limit_on"] is None
    await case.step("first_review", expect=403)  # a community worker: the street reviews
    freeze(monkeypatch, date(2026, 9, 30))
    await case.step("first_review", case.street)
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    await case.step("notice")
    freeze(monkeypatch, date(2026, 10, 9))
    view = await case.step("notice_end")
    # The county decides within 15 working days of the notice's end (Friday 10-09), the
    # make-up Saturday 10-10 the first of them.
    assert step_of(view, "confirm")["due_on"] == "2026-10-29"
    await case.step("confirm", case.officer, expect=422, outcome="approve")  # no arrangement
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/confirm",
        json={"outcome": "approve", "care_arrangement": "dispersed"},
        headers=case.officer,
    )
    # The first tekun decision of the year: 0 of 1 spot-checked is below 30%.
    assert response.status_code == 409
    assert response.json()["code"] == "spot_check_required"
    await case.step("spot_check", case.officer, findings="抽查属实")
    view = await case.step("confirm", case.officer, outcome="approve", care_arrangement="dispersed")
    assert view["care_arrangement"] == "dispersed" and view["spot_checked"] is True
    async with session_scope() as session:
        stored = await session.scalar(select(Procedure.care_arrangement))
    assert stored == "dispersed"
    decision = next(d for d in view["documents"] if d["kind"] == "decision")
    pdf = await client.get(
        f"/staff/applications/{case.id}/procedure/documents/{decision['id']}",
        headers=case.officer,
    )
    assert "分散供养" in pdf_text(pdf.content)
    # The registry carries the arrangement on the household the approval enrolled.
    household = await _household(client, case)
    assert (household["category"], household["care_arrangement"]) == ("tekun", "dispersed")
    changes = await client.get(f"/staff/households/{household['id']}/changes", headers=case.officer)
    assert {"field": "care_arrangement", "old_value": None, "new_value": "dispersed"} in [
        {k: c[k] for k in ("field", "old_value", "new_value")} for c in changes.json()["items"]
    ]

    # Termination: a 7-day notice first, then the end, not before.
    freeze(monkeypatch, date(2026, 11, 2))
    await case.step("termination", case.officer, expect=409)
    view = await case.step("termination_notice", case.officer, reasons="已由子女赡养")
    assert step_of(view, "termination")["due_on"] == "2026-11-09"
    await case.step("termination", case.officer, expect=409)
    freeze(monkeypatch, date(2026, 11, 9))
    view = await case.step("termination", case.officer)
    assert view["outcome"] == "terminated"
    household = await _household(client, case)
    # Leaving tekun leaves the arrangement behind.
    assert (household["status"], household["care_arrangement"]) == ("exited", None)


async def test_a_subject_already_in_tekun_gets_the_decided_arrangement(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name="孙奶奶")
    member = {"name": "孙奶奶", "id_number": case.id_number, "relation": "head"}
    created = await client.post(
        "/staff/households",
        json={"region_code": "510115001001", "members": [member]},
        headers=case.officer,
    )
    assert created.status_code == 201, created.text
    enrolled = await client.post(
        f"/staff/households/{created.json()['id']}/category",
        json={
            "action": "enrol",
            "category": "tekun",
            "effective_date": "2026-09-01",
            "reason": "早前认定",
        },
        headers=case.officer,
    )
    assert enrolled.status_code == 200 and enrolled.json()["care_arrangement"] is None
    await case.transition("accept", case.worker)
    await case.start("tekun")
    await case.step("first_review", case.street)
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    await case.step("notice")
    freeze(monkeypatch, date(2026, 10, 9))
    await case.step("notice_end")
    await case.step("spot_check", case.officer, findings="抽查属实")
    await case.step("confirm", case.officer, outcome="approve", care_arrangement="centralized")
    household = await _household(client, case)
    assert (household["category"], household["care_arrangement"]) == ("tekun", "centralized")


async def test_rigid_spending_holds_at_most_twelve_months_and_its_expiry_is_rechecked(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name="钱多多")
    await case.transition("accept", case.worker)
    view = await case.start("rigid_spending")
    assert view["limit_on"] == "2026-11-17"  # 30 working days
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/extend",
        json={"reason": "需跨部门核实医疗支出"},
        headers=case.officer,
    )
    assert response.status_code == 200, response.text
    assert response.json()["limit_days"] == 45
    assert response.json()["limit_on"] == "2026-12-08"
    await case.step("survey", surveyors=case.surveyors)
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    await case.step("confirm", case.officer, expect=422, outcome="approve", valid_months=13)
    # Decided two days past the extended limit (Tuesday 12-08).
    freeze(monkeypatch, date(2026, 12, 10))
    view = await case.step(
        "confirm", case.officer, outcome="approve", monthly_amount="300.00", valid_months=12
    )
    assert view["within_limit"] is False
    assert view["valid_until"] == "2027-12-09"
    assert view["recheck_on"] == "2027-12-09"
    household = await _household(client, case)
    assert household["category"] == "expenditure_hardship"
    # The expiry is in the visit worklist: whatever the visits, the household is due by then.
    async with session_scope() as session:
        await session.execute(
            update(VisitSchedule)
            .where(VisitSchedule.household_id == household["id"])
            .values(last_visit_on=date(2027, 11, 30))
        )
        await recompute_household(session, household["id"])
    due = await client.get(
        "/staff/visits/due", params={"until": "2028-12-31"}, headers=case.officer
    )
    assert due.status_code == 200, due.text
    (item,) = [i for i in due.json()["items"] if i["household_id"] == household["id"]]
    # Without the re-check: 2027-11-30 + 45 days = 2028-01-14.
    assert item["next_due_on"] == "2027-12-09"
    # The re-check found it still in need: renewed for 12 months, the next re-check set.
    freeze(monkeypatch, date(2026, 12, 20))
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/recheck", json={}, headers=case.worker
    )
    assert response.status_code == 200, response.text
    assert response.json()["valid_until"] == "2027-12-19"
    assert response.json()["recheck_on"] == "2027-12-19"
    async with session_scope() as session:
        schedule = await session.get(VisitSchedule, household["id"])
        assert schedule is not None
        assert schedule.recheck_on == date(2027, 12, 19)
        assert schedule.next_due_on == date(2027, 12, 19)
    on_time = await client.get("/staff/supervision/on-time?year=2026", headers=case.street)
    assert on_time.json()["months"] == [
        {"month": "2026-12", "decided": 1, "within_limit": 0, "share": 0.0}
    ]


async def test_temporary_aid_is_paid_first_within_the_workers_limit(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name="孙急", help_types=["emergency"])
    await case.transition("accept", case.worker)
    await case.start("temporary_aid")
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/advance",
        json={"amount": "5000.00"},
        headers=case.worker,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "advance_above_limit"
    await case.step("paperwork", expect=409)  # nothing paid first yet
    headers = {**case.worker, "Idempotency-Key": "advance-1"}
    first = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/advance",
        json={"amount": "800.00"},
        headers=headers,
    )
    again = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/advance",
        json={"amount": "800.00"},
        headers=headers,
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    view = first.json()
    assert view["advance_amount"] == "800.00"
    # The paperwork after, on its own clock: 5 working days, past the holiday.
    assert step_of(view, "paperwork")["due_on"] == "2026-10-13"
    await case.step("paperwork", findings="材料已补齐")
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)

    # The decision approves the case; temporary aid is given once, so nobody is enrolled.
    async with session_scope() as session:
        households_before = await session.scalar(select(func.count()).select_from(Household))
    decided = await case.step("confirm", case.officer, outcome="approve")
    assert decided["outcome"] == "approved"
    response = await client.get(f"/staff/applications/{case.id}", headers=case.worker)
    assert response.json()["status"] == "approved"
    assert response.json()["decision"] is None  # no registry category or amount recorded
    async with session_scope() as session:
        households_after = await session.scalar(select(func.count()).select_from(Household))
    assert households_after == households_before
    # Still a decided case for the figures: who decided and when are kept.
    async with session_scope() as session:
        decided_at = await session.scalar(
            select(Application.decided_at).where(Application.id == case.id)
        )
    assert decided_at is not None
    # No time limit on a temporary-aid decision: supervision counts it within its limit.
    on_time = await client.get("/staff/supervision/on-time?year=2026", headers=case.officer)
    assert on_time.json()["months"] == [
        {"month": "2026-09", "decided": 1, "within_limit": 1, "share": 1.0}
    ]
