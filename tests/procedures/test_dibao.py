"""The dibao procedure through HTTP with a frozen clock across National Day 2026 (10-01..07 off,
Saturday 10-10 a make-up working day): every step's clock, out-of-order steps refused, a notice
that draws an objection going through democratic review, the decision and its documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from app.db.session import session_scope
from app.notifications import service as notifications
from tests.calendar.support import SCHEDULE_2027, restored_calendar
from tests.helpers import login_staff
from tests.notifications.support import runner
from tests.procedures.support import DISTRICT, Case, freeze, pdf_text, step_of


async def test_dibao_walks_across_national_day_with_an_objection_and_a_democratic_review(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open()
    await case.transition("accept", case.worker)
    view = await case.start("dibao")
    assert view["started_on"] == "2026-09-30"
    # 30 working days from acceptance, across the holiday and its make-up Saturday.
    assert view["limit_days"] == 30
    assert view["limit_on"] == "2026-11-17"
    survey = step_of(view, "survey")
    # Not Monday 10-05 inside the holiday: the make-up Saturday.
    assert survey["status"] == "pending"
    assert survey["due_on"] == "2026-10-10"
    assert "社区工作人员" in survey["who_may_act"]

    # Out of order: 409 with the reason in Chinese.
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/check", json={}, headers=case.worker
    )
    assert response.status_code == 409
    assert response.json()["code"] == "step_out_of_order"
    assert "须先完成“提请家庭经济状况核对”" in response.json()["message"]
    missing = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/nonsense", json={}, headers=case.worker
    )
    assert missing.status_code == 404

    freeze(monkeypatch, date(2026, 10, 10))
    # One surveyor is not enough.
    await case.step("survey", expect=422, surveyors=case.surveyors[:1])
    view = await case.step("survey", surveyors=case.surveyors, findings="家中无固定收入")
    survey = step_of(view, "survey")
    assert survey["status"] == "done" and survey["overdue_days"] == 0
    assert sorted(survey["actor_ids"]) == sorted(case.surveyors)
    assert survey["findings"] == "家中无固定收入"
    # A retried step (same Idempotency-Key) answers the same; a second record is 409.
    view = await case.step("check_request")
    check = step_of(view, "check")
    assert check["due_on"] == "2026-10-14"
    await case.step("check_request", expect=409)
    await case.transition("start_investigation", case.worker)

    # Two days late: the step shows it, and supervision lists it under its street.
    freeze(monkeypatch, date(2026, 10, 16))
    assert step_of(await case.view(), "check")["overdue_days"] == 2
    report = await client.get("/staff/supervision/overdue", headers=case.street)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["district"]["steps"] == 1
    assert body["streets"][0]["street_code"] == "510115001000"
    assert body["streets"][0]["street_name"] == "柳城街道"
    assert body["items"][0]["label"] == "家庭经济状况核对"
    assert body["items"][0]["days_over"] == 2
    view = await case.step("check")
    assert step_of(view, "check")["overdue_days"] == 2  # done late: kept on the record
    assert (await client.get("/staff/supervision/overdue", headers=case.street)).json()["district"][
        "steps"
    ] == 0
    await case.transition("submit_review", case.worker)

    view = await case.step("notice", monthly_amount="650.00")
    assert step_of(view, "notice_end")["due_on"] == "2026-10-23"
    await case.step("review", expect=409)  # nothing to review yet
    early = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/notice_end", json={}, headers=case.worker
    )
    assert early.status_code == 409
    assert early.json()["code"] == "period_not_over"

    freeze(monkeypatch, date(2026, 10, 18))
    objection = await client.post(
        f"/staff/applications/{case.id}/procedure/objections",
        json={"text": "申请人家中有经营性收入"},
        headers=case.worker,
    )
    assert objection.status_code == 201, objection.text
    assert objection.json()["objections"] == 1
    assert objection.json()["objection_records"][0]["text"] == "申请人家中有经营性收入"
    assert objection.json()["objection_records"][0]["raised_on"] == "2026-10-18"

    freeze(monkeypatch, date(2026, 10, 23))
    await case.step("notice_end")
    # An objection calls for a democratic review before the county decides.
    refused = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/confirm",
        json={"outcome": "approve", "monthly_amount": "650.00"},
        headers=case.officer,
    )
    assert refused.status_code == 409
    assert "民主评议" in refused.json()["message"]
    view = await case.step("review", result="经民主评议，异议不成立，同意纳入")
    assert step_of(view, "confirm")["due_on"] == "2026-11-06"

    # A community worker may not decide.
    await case.step("confirm", case.worker, expect=403, outcome="approve")
    freeze(monkeypatch, date(2026, 10, 26))
    view = await case.step("confirm", case.officer, outcome="approve", monthly_amount="650.00")
    assert view["outcome"] == "approved"
    assert view["within_limit"] is True
    assert view["recheck_on"] in ("2027-04-26", "2027-10-26")
    assert step_of(view, "refusal_notice")["status"] == "not_needed"
    detail = await client.get(f"/staff/applications/{case.id}", headers=case.worker)
    assert detail.json()["status"] == "approved"

    # The documents: the notice masks the name and shows no ID number; the decision goes to
    # the applicant.
    kinds = {d["kind"]: d for d in view["documents"]}
    assert set(kinds) == {"notice", "decision"}
    notice = await client.get(
        f"/staff/applications/{case.id}/procedure/documents/{kinds['notice']['id']}",
        headers=case.worker,
    )
    assert notice.headers["content-type"] == "application/pdf"
    text = pdf_text(notice.content)
    assert "最低生活保障审核公示" in text
    assert "张*明" in text
    assert "张小明" not in text
    assert case.id_number not in text and case.id_number[-4:] not in text
    assert "2026年10月16日至2026年10月23日" in text

    mine = await client.get(f"/applications/{case.id}/procedure", headers=case.resident)
    assert mine.status_code == 200, mine.text
    assert mine.json()["status_text"] == "已批准"
    assert [d["kind"] for d in mine.json()["documents"]] == ["decision"]
    decision = await client.get(
        f"/applications/{case.id}/documents/{kinds['decision']['id']}", headers=case.resident
    )
    assert decision.status_code == 200
    text = pdf_text(decision.content)
    assert "最低生活保障审核确认决定书" in text
    assert "张小明" in text and "650.00" in text
    # The notice is not the applicant's copy.
    other = await client.get(
        f"/applications/{case.id}/documents/{kinds['notice']['id']}", headers=case.resident
    )
    assert other.status_code == 404

    on_time = await client.get("/staff/supervision/on-time?year=2026", headers=case.officer)
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["months"] == [
        {"month": "2026-10", "decided": 1, "within_limit": 1, "share": 1.0}
    ]


async def test_a_refusal_produces_its_notice_within_three_working_days(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 28))
    case = await Case(client).open(name="李四")
    await case.transition("accept", case.worker)
    await case.start("dibao")
    await case.step("survey", surveyors=case.surveyors)
    await case.transition("start_investigation", case.worker)
    await case.step("check_request")
    await case.step("check")
    await case.transition("submit_review", case.worker)
    await case.step("notice")
    freeze(monkeypatch, date(2026, 10, 8))
    await case.step("notice_end")
    late = await client.post(
        f"/staff/applications/{case.id}/procedure/objections",
        json={"text": "公示期后才提出的异议"},
        headers=case.worker,
    )
    assert late.status_code == 409
    assert late.json()["code"] == "no_notice_running"
    # No objection: no democratic review.
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/steps/review",
        json={"result": "x"},
        headers=case.worker,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "review_not_needed"
    await case.step("confirm", case.officer, expect=422, outcome="refuse")  # reasons required
    view = await case.step(
        "confirm", case.officer, outcome="refuse", reasons="家庭人均收入高于当地低保标准"
    )
    assert view["outcome"] == "refused"
    refusal = step_of(view, "refusal_notice")
    # 3 working days from Thursday 10-08: Friday 10-09, Saturday 10-10 (make-up), Monday 10-12.
    assert refusal["due_on"] == "2026-10-12"
    freeze(monkeypatch, date(2026, 10, 10))
    view = await case.step("refusal_notice", case.officer)
    assert step_of(view, "refusal_notice")["overdue_days"] == 0
    document = next(d for d in view["documents"] if d["kind"] == "refusal")
    pdf = await client.get(
        f"/applications/{case.id}/documents/{document['id']}", headers=case.resident
    )
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "不予批准告知书" in text
    assert "家庭人均收入高于当地低保标准" in text
    assert "行政复议" in text
    detail = await client.get(f"/staff/applications/{case.id}", headers=case.worker)
    assert detail.json()["status"] == "denied"


@pytest.fixture
async def calendar_restored() -> AsyncIterator[None]:
    async for _ in restored_calendar():
        yield


async def test_a_clock_past_the_calendar_data_says_so_and_never_guesses(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, calendar_restored: None
) -> None:
    freeze(monkeypatch, date(2026, 12, 29))
    case = await Case(client).open()
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    await case.transition("accept", case.worker)
    view = await case.start("dibao")
    survey = step_of(view, "survey")
    assert survey["due_on"] is None
    assert survey["deadline_unknown"] is True
    assert "2027" in survey["deadline_warning"]
    assert view["limit_on"] is None
    # Supervision never counts a step whose due date is unknown as overdue.
    report = await client.get("/staff/supervision/overdue", headers=case.officer)
    assert report.json()["district"]["steps"] == 0

    # The hourly overdue job tells the admins covering the case (once).
    async with session_scope() as session:
        await notifications.overdue(session)
        await notifications.overdue(session)
    inbox = (await client.get("/staff/notifications", headers=admin)).json()
    assert [(i["kind"], i["record_id"]) for i in inbox["items"]] == [("deadline_unknown", case.id)]

    # The admin records 2027: the job it queues counts the step (12-30, 12-31, then Monday
    # 2027-01-04 after the New Year holiday) and the overall limit.
    put = await client.put("/admin/calendar/2027", json=SCHEDULE_2027, headers=admin)
    assert put.status_code == 200, put.text
    await runner().run_due()
    view = await case.view()
    survey = step_of(view, "survey")
    assert survey["due_on"] == "2027-01-04"
    assert survey["deadline_unknown"] is False
    assert view["limit_on"] is not None


async def test_a_case_under_a_procedure_is_decided_by_its_decision_step_only(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 10, 12))
    case = await Case(client).open()
    await case.transition("accept", case.worker)
    await case.start("dibao")
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    response = await client.post(
        f"/staff/applications/{case.id}/transitions",
        json={"action": "approve", "decision": {"category": "dibao", "monthly_amount": "500.00"}},
        headers=case.officer,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_governs_decision"
    # Another street sees neither the procedure nor its overdue steps.
    other = await login_staff(client, "gongping1", "street_officer", "510115002000")
    hidden = await client.get(f"/staff/applications/{case.id}/procedure", headers=other)
    assert hidden.status_code == 404
    freeze(monkeypatch, date(2026, 10, 30))
    mine = await client.get("/staff/supervision/overdue", headers=case.officer)
    assert mine.json()["district"]["steps"] == 1
    theirs = await client.get("/staff/supervision/overdue", headers=other)
    assert theirs.json()["district"]["steps"] == 0
    assert theirs.json()["items"] == []
    again = await client.post(
        f"/staff/applications/{case.id}/procedure", json={"category": "dibao"}, headers=case.worker
    )
    assert again.status_code == 409
    assert again.json()["code"] == "procedure_exists"


async def test_a_pause_waiting_on_the_applicant_moves_the_due_date(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 10, 12))
    case = await Case(client).open()
    await case.transition("accept", case.worker)
    view = await case.start("dibao")
    assert step_of(view, "survey")["due_on"] == "2026-10-15"
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/pause",
        json={"reason": "等待申请人补交收入证明"},
        headers=case.worker,
    )
    assert response.status_code == 200, response.text
    await case.step("survey", expect=409, surveyors=case.surveyors)  # paused
    freeze(monkeypatch, date(2026, 10, 14))
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/resume", headers=case.worker
    )
    assert response.status_code == 200, response.text
    # 10-13 and 10-14 waited: the 3 working days are 10-15, 10-16, 10-19.
    assert step_of(response.json(), "survey")["due_on"] == "2026-10-19"
    assert response.json()["pauses"] == [["2026-10-13", "2026-10-14"]]
