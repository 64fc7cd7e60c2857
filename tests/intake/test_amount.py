"""An approval's monthly amount is checked against the standard in force: above the ceiling
(standard × the household's people; tekun per person) it needs a reason, which is recorded."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import login_resident
from tests.intake.support import DISTRICT, GUANGHUA, act, staff, submit


async def _reviewing_case(
    client: httpx.AsyncClient, name: str, household_size: int
) -> tuple[int, dict[str, str]]:
    resident = await login_resident(client, name)
    case = await submit(client, resident, subject={"household_size": household_size})
    worker, _ = await staff(client, f"{name}-w", "community_worker", GUANGHUA)
    for action in ("accept", "start_investigation", "submit_review"):
        assert (await act(client, worker, case["id"], action)).status_code == 200
    district, _ = await staff(client, f"{name}-d", "district_officer", DISTRICT)
    for kind, value in (("dibao", "870.00"), ("tekun", "1131.00")):
        created = await client.post(
            "/staff/standards",
            json={
                "region_code": DISTRICT,
                "kind": kind,
                "value": value,
                "effective_from": "2022-07-01",
            },
            headers=district,
        )
        assert created.status_code in (201, 409), created.text
    return case["id"], district


def _approve(category: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {"decision": {"category": category, "monthly_amount": amount, **extra}}


async def test_an_amount_above_the_standard_needs_a_reason(client: httpx.AsyncClient) -> None:
    case_id, district = await _reviewing_case(client, "amount-1", household_size=2)
    above = await act(client, district, case_id, "approve", **_approve("dibao", "1740.01"))
    assert above.status_code == 422
    assert above.json()["code"] == "amount_above_standard"
    assert above.json()["amount_ceiling"] == "1740.00"
    assert "870.00 元 × 2 人" in above.json()["message"]
    # Nothing was decided.
    detail = (await client.get(f"/staff/applications/{case_id}", headers=district)).json()
    assert detail["status"] == "reviewing" and detail["decision"] is None

    approved = await act(
        client,
        district,
        case_id,
        "approve",
        **_approve("dibao", "1800.00", amount_reason="重病住院，临时加发"),
        note="审批意见",
    )
    assert approved.status_code == 200, approved.text
    event = approved.json()["events"][-1]
    assert event["note"].startswith("审批意见\n")
    assert "高于标准上限 1740.00 元" in event["note"] and "重病住院" in event["note"]
    audit = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": case_id},
        headers=district,
    )
    (entry,) = [e for e in audit.json()["items"] if e["action"] == "application.approve"]
    assert entry["detail"]["amount_ceiling"] == "1740.00"
    assert entry["detail"]["amount_reason"] == "重病住院，临时加发"


async def test_amounts_within_the_ceiling_pass_and_tekun_counts_one_person(
    client: httpx.AsyncClient,
) -> None:
    case_id, district = await _reviewing_case(client, "amount-2", household_size=3)
    within = await act(client, district, case_id, "approve", **_approve("dibao", "2610.00"))
    assert within.status_code == 200, within.text
    assert "高于" not in within.json()["events"][-1]["note"]

    tekun_case, district = await _reviewing_case(client, "amount-3", household_size=3)
    above = await act(client, district, tekun_case, "approve", **_approve("tekun", "1131.01"))
    assert (above.status_code, above.json()["amount_ceiling"]) == (422, "1131.00")
    short = await act(
        client, district, tekun_case, "approve", **_approve("tekun", "1200", amount_reason="x")
    )
    assert short.status_code == 422
