"""What a resident and a case worker read is Chinese: a timeline line for every status even
without a public note, and status and action names in words in refusals."""

from __future__ import annotations

import re

import httpx

from tests.helpers import login_resident
from tests.intake.support import DISTRICT, GUANGHUA, act, staff, submit

ENGLISH_WORD = re.compile(r"[A-Za-z_]{3,}")


async def test_every_status_has_a_plain_words_timeline_line(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "plain-alice")
    case = await submit(client, alice)
    worker, _ = await staff(client, "plain-worker", "community_worker", GUANGHUA)
    district, _ = await staff(client, "plain-district", "district_officer", DISTRICT)
    for headers, action, extra in (
        (worker, "accept", {}),
        (worker, "start_investigation", {}),
        (worker, "submit_review", {}),
        (district, "approve", {"decision": {"category": "dibao", "monthly_amount": "300"}}),
    ):
        response = await act(client, headers, case["id"], action, note="内部备注", **extra)
        assert response.status_code == 200, response.text
    timeline = (await client.get(f"/applications/{case['id']}", headers=alice)).json()["timeline"]
    assert [t["status"] for t in timeline] == [
        "submitted",
        "accepted",
        "investigating",
        "reviewing",
        "approved",
    ]
    notes = [t["note"] for t in timeline]
    assert all(notes) and len(set(notes)) == len(notes), notes
    assert "内部备注" not in str(notes)
    assert notes[1].startswith("已受理") and "审核" in notes[3] and "审批通过" in notes[4]


async def test_a_refused_action_names_status_and_action_in_words(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "plain-bob")
    case = await submit(client, alice)
    district, _ = await staff(client, "plain-district2", "district_officer", DISTRICT)
    refused = await act(
        client,
        district,
        case["id"],
        "approve",
        decision={"category": "dibao", "monthly_amount": "300"},
    )
    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["status"]) == ("invalid_transition", "submitted")
    assert "已提交" in body["message"] and "审批通过" in body["message"]
    assert not ENGLISH_WORD.search(body["message"]), body["message"]
    auditor, _ = await staff(client, "plain-auditor", "auditor", DISTRICT)
    forbidden = await act(client, auditor, case["id"], "accept")
    assert forbidden.status_code == 403
    assert not ENGLISH_WORD.search(forbidden.json()["message"]), forbidden.json()["message"]
