"""Staff add or correct an application's subject: the ID number a report came without (补录),
audited with a reason, linked to an open case about the same person, and enrolled on approval."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import id_number, login_resident
from tests.intake.support import DISTRICT, GONGPING, GUANGHUA, LIUCHENG, act, staff, submit

APPROVE = {"decision": {"category": "dibao", "monthly_amount": "300"}}


async def _correct(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int, **body: Any
) -> httpx.Response:
    return await client.patch(f"/staff/applications/{case_id}/subject", json=body, headers=headers)


async def test_a_report_without_an_id_number_can_be_completed_and_is_then_enrolled(
    client: httpx.AsyncClient,
) -> None:
    neighbour = await login_resident(client, "subject-1")
    report = await submit(
        client, neighbour, relation="neighbor", subject={"id_number": None, "phone": None}
    )
    worker, _ = await staff(client, "subject-worker", "community_worker", GUANGHUA)
    district, _ = await staff(client, "subject-district", "district_officer", DISTRICT)
    number = id_number()
    corrected = await _correct(
        client, worker, report["id"], id_number=number, phone="13500001111", reason="入户核实后补录"
    )
    assert corrected.status_code == 200, corrected.text
    case = corrected.json()
    assert case["subject"]["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert case["subject"]["phone_masked"] == "135****1111"
    assert number not in corrected.text
    (event,) = [e for e in case["events"] if e["action"] == "subject_correct"]
    assert "身份证号" in event["note"] and "入户核实后补录" in event["note"]
    audit = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": report["id"]},
        headers=district,
    )
    (entry,) = [e for e in audit.json()["items"] if e["action"] == "application.subject_correct"]
    assert entry["detail"]["reason"] == "入户核实后补录"
    assert entry["detail"]["before"] == {"id_number": None, "phone": None}
    assert entry["detail"]["after"]["id_number"] == case["subject"]["id_number_masked"]
    assert number not in audit.text

    # The resident's timeline shows no internal correction.
    mine = (await client.get(f"/applications/{report['id']}", headers=neighbour)).json()
    assert [t["status"] for t in mine["timeline"]] == ["submitted"]

    for headers, action, extra in (
        (worker, "accept", {}),
        (worker, "start_investigation", {}),
        (worker, "submit_review", {}),
        (district, "approve", APPROVE),
    ):
        response = await act(client, headers, report["id"], action, **extra)
        assert response.status_code == 200, response.text
    found = await client.get("/staff/households", params={"q": number}, headers=district)
    assert len(found.json()["items"]) == 1, found.text
    assert found.json()["items"][0]["category"] == "dibao"


async def test_a_newly_known_id_number_links_the_case_to_the_open_case(
    client: httpx.AsyncClient,
) -> None:
    person = id_number()
    alice = await login_resident(client, "subject-2")
    first = await submit(client, alice, subject={"id_number": person})
    neighbour = await login_resident(client, "subject-3")
    report = await submit(
        client, neighbour, relation="neighbor", subject={"id_number": None, "phone": None}
    )
    worker, _ = await staff(client, "subject-worker2", "street_officer", LIUCHENG)
    before = await client.get(f"/staff/applications/{report['id']}", headers=worker)
    assert before.json()["linked_to_id"] is None
    corrected = await _correct(client, worker, report["id"], id_number=person, reason="电话核实")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["linked_to_id"] == first["id"]
    assert first["reference"] in corrected.json()["events"][-1]["note"]
    original = await client.get(f"/staff/applications/{first['id']}", headers=worker)
    assert original.json()["linked_application_ids"] == [report["id"]]


async def test_corrections_need_a_reason_a_change_a_role_and_an_open_case(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "subject-4")
    case = await submit(client, alice)
    worker, _ = await staff(client, "subject-worker3", "community_worker", GUANGHUA)
    for body in (
        {"name": "李四"},
        {"reason": "只有原因"},
        {"id_number": "510115197001011234", "reason": "校验位错"},
        {"name": None, "reason": "空值"},
        {"household_size": 0, "reason": "人数"},
        {"status": "approved", "reason": "越权"},
    ):
        response = await _correct(client, worker, case["id"], **body)
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), body
    auditor, _ = await staff(client, "subject-auditor", "auditor", DISTRICT)
    refused = await _correct(client, auditor, case["id"], name="李四", reason="审计不可改")
    assert (refused.status_code, refused.json()["code"]) == (403, "action_not_allowed")
    outsider, _ = await staff(client, "subject-outsider", "street_officer", GONGPING)
    hidden = await _correct(client, outsider, case["id"], name="李四", reason="辖区外")
    assert hidden.status_code == 404
    unchanged = await _correct(
        client, worker, case["id"], name=case["subject"]["name"], reason="未改"
    )
    assert unchanged.status_code == 200
    assert not [e for e in unchanged.json()["events"] if e["action"] == "subject_correct"]

    assert (
        await act(client, worker, case["id"], "reject", note="不属于救助范围")
    ).status_code == 200
    closed = await _correct(client, worker, case["id"], name="李四", reason="已办结")
    assert (closed.status_code, closed.json()["code"]) == (409, "invalid_transition")
    assert "不予受理" in closed.json()["message"]
