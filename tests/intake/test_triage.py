"""Staff triage: the queue and its filters, jurisdiction, the life cycle, roles, assignment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.intake.creation import due_at_for
from app.intake.schemas import HelpType
from tests.calendar.support import package_calendar
from tests.helpers import id_number, login_resident, login_staff
from tests.intake.support import (
    DISTRICT,
    GONGPING,
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    act,
    staff,
    submit,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The holiday calendar as seeded, without the database (the clock is pure).
CALENDAR = package_calendar(2026)
APPROVE = {"decision": {"category": "dibao", "monthly_amount": "870"}}
LIFE_CYCLE = {"submit", "withdraw", "assign", "note"} | {
    "accept",
    "reject",
    "start_investigation",
    "submit_review",
    "approve",
    "deny",
    "refer",
    "close",
}


async def _queue(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[int]:
    response = await client.get("/staff/applications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def _detail(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: int
) -> dict[str, Any]:
    response = await client.get(f"/staff/applications/{application_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


# --- due dates -------------------------------------------------------------------------------


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (_local(2026, 11, 23, 10, 0), _local(2026, 11, 26, 10, 0)),  # Monday -> Thursday
        (_local(2026, 11, 25, 16, 30), _local(2026, 11, 30, 16, 30)),  # Wednesday -> Monday
        (_local(2026, 11, 27, 10, 0), _local(2026, 12, 2, 10, 0)),  # Friday -> Wednesday
        (_local(2026, 11, 27, 23, 30), _local(2026, 12, 2, 23, 30)),  # Friday late evening
        (_local(2026, 11, 28, 9, 0), _local(2026, 12, 2, 9, 0)),  # Saturday -> Wednesday
        (_local(2026, 11, 29, 9, 0), _local(2026, 12, 2, 9, 0)),  # Sunday -> Wednesday
        # Saturday 03:00 in Chengdu is still Friday in UTC: local working days count.
        (_local(2026, 11, 28, 3, 0), _local(2026, 12, 2, 3, 0)),
        # National Day 2026: 10-01..07 off, Saturday 10-10 a make-up working day.
        (_local(2026, 9, 30, 10, 0), _local(2026, 10, 10, 10, 0)),
        (_local(2026, 9, 29, 10, 0), _local(2026, 10, 9, 10, 0)),
        # Spring Festival 2026 (02-15..23 off, Saturday 02-28 a make-up day).
        (_local(2026, 2, 13, 10, 0), _local(2026, 2, 25, 10, 0)),
    ],
)
def test_ordinary_applications_are_due_in_three_working_days(
    submitted: datetime, due: datetime
) -> None:
    result = due_at_for([HelpType.basic_living], submitted.astimezone(UTC), CALENDAR)
    assert result == due
    assert result is not None and result.tzinfo is not None


def test_friday_utc_evening_is_saturday_in_shanghai() -> None:
    submitted = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # Saturday 03:00 +08:00
    assert due_at_for([HelpType.medical], submitted, CALENDAR) == datetime(
        2026, 12, 1, 19, 0, tzinfo=UTC
    )


def test_a_deadline_past_the_calendar_data_is_unknown_not_guessed() -> None:
    submitted = _local(2026, 12, 29, 10, 0).astimezone(UTC)  # Tuesday: 12-30, 12-31, then 2027
    assert due_at_for([HelpType.medical], submitted, CALENDAR) is None
    # An emergency's 24 hours need no calendar.
    assert due_at_for([HelpType.emergency], submitted, CALENDAR) == submitted + timedelta(hours=24)


@pytest.mark.parametrize(
    "submitted",
    [_local(2026, 11, 27, 10, 0), _local(2026, 11, 28, 22, 0), _local(2026, 11, 24, 0, 0)],
)
def test_emergencies_are_due_in_24_hours_even_over_a_weekend(submitted: datetime) -> None:
    utc = submitted.astimezone(UTC)
    due = due_at_for([HelpType.basic_living, HelpType.emergency], utc, CALENDAR)
    assert due == utc + timedelta(hours=24)


# --- the queue -------------------------------------------------------------------------------


async def test_queue_filters(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    number = id_number()
    a = await submit(
        client, alice, subject={"name": "王秀英", "id_number": number}, help_types=["medical"]
    )
    b = await submit(
        client,
        alice,
        subject={"name": "李建国", "region_code": NANJIANG},
        help_types=["emergency", "housing"],
    )
    c = await submit(client, alice, subject={"name": "王大明"}, help_types=["basic_living"])
    assert (await act(client, worker, c["id"], "accept")).status_code == 200

    assert await _queue(client, street) == [c["id"], b["id"], a["id"]]
    assert await _queue(client, street, status="submitted") == [b["id"], a["id"]]
    assert await _queue(client, street, status="accepted") == [c["id"]]
    assert await _queue(client, street, status=["accepted", "submitted"]) == [
        c["id"],
        b["id"],
        a["id"],
    ]
    assert await _queue(client, street, help_type="medical") == [a["id"]]
    assert await _queue(client, street, help_type="housing") == [b["id"]]
    assert await _queue(client, street, help_type="education") == []
    assert await _queue(client, street, region_code=NANJIANG) == [b["id"]]
    assert await _queue(client, street, region_code=GUANGHUA) == [c["id"], a["id"]]
    assert await _queue(client, street, region_code=LIUCHENG) == [c["id"], b["id"], a["id"]]
    assert await _queue(client, street, region_code=GONGPING) == []
    assert await _queue(client, street, assignee_id=worker_id) == [c["id"]]
    assert await _queue(client, street, q=a["reference"]) == [a["id"]]
    assert await _queue(client, street, q=a["reference"].lower()) == [a["id"]]
    assert await _queue(client, street, q=number) == [a["id"]]
    assert await _queue(client, street, q=number[:10]) == []  # only a full ID number
    assert await _queue(client, street, q="王") == [c["id"], a["id"]]
    assert await _queue(client, street, q="王秀") == [a["id"]]
    assert await _queue(client, street, q="秀英") == []  # a prefix, not a substring
    assert await _queue(client, street, q="%") == []
    assert await _queue(client, street, q="_") == []
    assert await _queue(client, street, q="李", help_type="emergency") == [b["id"]]

    item = (await client.get("/staff/applications", headers=street)).json()["items"][-1]
    assert item["subject"]["region_name"] == "光华社区"
    assert item["subject"]["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert number not in str(item)
    for key in ("priority", "due_at", "assignee_id", "overdue", "linked_to_id", "reference"):
        assert key in item


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"help_type": "money"},
        {"region_code": "51011500"},
        {"region_code": "abcdefghijkl"},
        {"assignee_id": "0"},
        {"assignee_id": "x"},
        {"assignee_id": "9223372036854775808"},
        {"overdue": "maybe"},
        {"q": ""},
        {"q": "x" * 51},
        {"q": "王\u0000"},
        {"limit": "0"},
        {"limit": "1000"},
    ],
)
async def test_bad_queue_filters_are_422(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    response = await client.get("/staff/applications", params=params, headers=street)
    assert response.status_code == 422, response.text
    assert response.json()["code"]


async def test_queue_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    ids = [(await submit(client, alice))["id"] for _ in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(5):
        page = (await client.get("/staff/applications", params=params, headers=street)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == ids[::-1]


async def test_jurisdiction(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    liucheng = await submit(client, alice)
    gongping = await submit(client, alice, subject={"region_code": GONGPING_COMMUNITY})

    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    other = await login_staff(client, "gongping1", "street_officer", GONGPING)
    community = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    neighbour_community = await login_staff(client, "nanjiang1", "community_worker", NANJIANG)
    district = await login_staff(client, "district1", "district_officer", DISTRICT)
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)

    assert await _queue(client, street) == [liucheng["id"]]
    assert await _queue(client, other) == [gongping["id"]]
    assert await _queue(client, community) == [liucheng["id"]]
    assert await _queue(client, neighbour_community) == []
    assert await _queue(client, district) == [gongping["id"], liucheng["id"]]
    assert await _queue(client, auditor) == [gongping["id"], liucheng["id"]]
    # Filtering by a region outside one's jurisdiction shows nothing, not that region.
    assert await _queue(client, other, region_code=GUANGHUA) == []
    assert await _queue(client, other, q=liucheng["reference"]) == []

    for headers in (other, neighbour_community):
        detail = await client.get(f"/staff/applications/{liucheng['id']}", headers=headers)
        assert detail.status_code == 404
        assert detail.json()["code"] == "application_not_found"
        for action in ("accept", "reject"):
            response = await act(client, headers, liucheng["id"], action)
            assert response.status_code == 404
        assign = await client.post(
            f"/staff/applications/{liucheng['id']}/assign",
            json={"assignee_id": 1},
            headers=headers,
        )
        assert assign.status_code in {403, 404}
        note = await client.post(
            f"/staff/applications/{liucheng['id']}/notes", json={"note": "x"}, headers=headers
        )
        assert note.status_code == 404
    assert (await _detail(client, street, liucheng["id"]))["status"] == "submitted"


async def test_admin_and_residents_have_no_queue(client: httpx.AsyncClient) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    response = await client.get("/staff/applications", headers=admin)
    assert response.status_code == 403
    assert response.json()["code"]
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    assert (
        await client.get(f"/staff/applications/{application['id']}", headers=admin)
    ).status_code == 403
    assert (await act(client, admin, application["id"], "accept")).status_code == 403
    assert (await client.get("/staff/applications")).status_code == 401


# --- the life cycle ----------------------------------------------------------------------------


async def test_whole_life_cycle_to_approval_and_close(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    district, district_id = await staff(client, "district1", "district_officer", DISTRICT)
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    case_id = application["id"]

    accepted = await act(client, worker, case_id, "accept", public_note="已受理，将安排入户调查")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["assignee_id"] == worker_id  # the one who accepts takes the case

    steps = [
        (worker, "start_investigation", {"note": "约好周三入户"}, "investigating"),
        (worker, "submit_review", {"note": "家庭人均收入 400 元"}, "reviewing"),
        (district, "approve", APPROVE | {"public_note": "审批通过"}, "approved"),
        (street, "close", {}, "closed"),
    ]
    for headers, action, extra, status in steps:
        response = await act(client, headers, case_id, action, **extra)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["status"] == status

    detail = await _detail(client, street, case_id)
    assert detail["status"] == "closed"
    assert detail["decision"]["category"] == "dibao"
    assert detail["decision"]["monthly_amount"] == "870.00"
    assert detail["decision"]["decided_by_id"] == district_id
    assert detail["decision"]["decided_at"]
    steps_taken = [e for e in detail["events"] if e["action"] in LIFE_CYCLE]
    assert [e["action"] for e in steps_taken] == [
        "submit",
        "accept",
        "start_investigation",
        "submit_review",
        "approve",
        "close",
    ]
    assert [e["to_status"] for e in steps_taken] == [
        "submitted",
        "accepted",
        "investigating",
        "reviewing",
        "approved",
        "closed",
    ]
    assert steps_taken[2]["note"] == "约好周三入户"

    mine = (await client.get(f"/applications/{case_id}", headers=alice)).json()
    assert mine["status"] == "closed"
    assert [t["status"] for t in mine["timeline"]] == [
        "submitted",
        "accepted",
        "investigating",
        "reviewing",
        "approved",
        "closed",
    ]
    assert mine["timeline"][1]["note"] == "已受理，将安排入户调查"
    assert mine["timeline"][4]["note"] == "审批通过"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("870", "870.00"), ("1234.5", "1234.50"), (620, "620.00"), ("0", "0.00"), (None, None)],
)
async def test_decision_amount_is_shown_in_yuan(
    client: httpx.AsyncClient, amount: object, shown: str | None
) -> None:
    case_id, worker, district = await _in_review(client)
    decision = {"category": "tekun", "monthly_amount": amount}
    response = await act(client, district, case_id, "approve", decision=decision)
    assert response.status_code == 200, response.text
    assert response.json()["decision"]["monthly_amount"] == shown
    detail = await _detail(client, worker, case_id)
    assert detail["decision"]["monthly_amount"] == shown
    assert detail["decision"]["category"] == "tekun"


@pytest.mark.parametrize(
    "decision",
    [
        None,
        {"category": "rich"},
        {"category": "dibao", "monthly_amount": "-1"},
        {"category": "dibao", "monthly_amount": "870.123"},
        {"category": "dibao", "monthly_amount": "abc"},
        {"category": "dibao", "monthly_amount": "NaN"},
        {"category": "dibao", "monthly_amount": "Infinity"},
        {"category": "dibao", "monthly_amount": "1e400"},
        {"category": "dibao", "monthly_amount": "99999999999"},
        {"category": "dibao", "monthly_amount": "870", "extra": 1},
    ],
)
async def test_bad_decisions_are_422(client: httpx.AsyncClient, decision: object) -> None:
    case_id, worker, district = await _in_review(client)
    body: dict[str, Any] = {"action": "approve"}
    if decision is not None:
        body["decision"] = decision
    response = await client.post(
        f"/staff/applications/{case_id}/transitions", json=body, headers=district
    )
    assert response.status_code == 422, response.text
    assert (await _detail(client, worker, case_id))["status"] == "reviewing"


async def test_decision_only_with_approve(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    application = await submit(client, alice)
    response = await act(client, worker, application["id"], "accept", **APPROVE)
    assert response.status_code == 422
    assert (await _detail(client, worker, application["id"]))["status"] == "submitted"


async def _in_review(client: httpx.AsyncClient) -> tuple[int, dict[str, str], dict[str, str]]:
    alice = await login_resident(client, "alice")
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    district = await login_staff(client, "district1", "district_officer", DISTRICT)
    application = await submit(client, alice)
    for action in ("accept", "start_investigation", "submit_review"):
        assert (await act(client, worker, application["id"], action)).status_code == 200
    return application["id"], worker, district


async def test_reject_refer_and_deny(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    rejected = await submit(client, alice)
    response = await act(client, street, rejected["id"], "reject", public_note="不属于救助范围")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    mine = (await client.get(f"/applications/{rejected['id']}", headers=alice)).json()
    assert mine["timeline"][-1] == {
        "status": "rejected",
        "at": mine["timeline"][-1]["at"],
        "note": "不属于救助范围",
    }

    referred = await submit(client, alice)
    assert (await act(client, street, referred["id"], "accept")).status_code == 200
    response = await act(client, street, referred["id"], "refer", note="转残联")
    assert response.json()["status"] == "referred"

    referred_later = await submit(client, alice)
    for action in ("accept", "start_investigation"):
        assert (await act(client, street, referred_later["id"], action)).status_code == 200
    assert (await act(client, street, referred_later["id"], "refer")).json()["status"] == "referred"

    case_id, worker, district = await _in_review(client)
    denied = await act(client, district, case_id, "deny", public_note="收入高于标准")
    assert denied.status_code == 200
    assert denied.json()["status"] == "denied"
    assert denied.json()["decision"] is None
    assert (await _detail(client, worker, case_id))["status"] == "denied"


@pytest.mark.parametrize(
    ("reach", "action"),
    [
        ([], "start_investigation"),
        ([], "submit_review"),
        ([], "approve"),
        ([], "deny"),
        ([], "refer"),
        ([], "close"),
        (["accept"], "accept"),
        (["accept"], "reject"),
        (["accept"], "submit_review"),
        (["accept"], "approve"),
        (["accept"], "close"),
        (["accept", "start_investigation"], "accept"),
        (["accept", "start_investigation"], "approve"),
        (["accept", "start_investigation", "submit_review"], "refer"),
        (["accept", "start_investigation", "submit_review"], "reject"),
        (["accept", "start_investigation", "submit_review"], "close"),
        (["accept", "start_investigation", "submit_review", "approve"], "approve"),
        (["accept", "start_investigation", "submit_review", "approve"], "deny"),
        (["accept", "start_investigation", "submit_review", "approve", "close"], "close"),
        (["accept", "start_investigation", "submit_review", "deny"], "close"),
        (["reject"], "accept"),
    ],
)
async def test_actions_from_the_wrong_status_are_409(
    client: httpx.AsyncClient, reach: list[str], action: str
) -> None:
    """Every role is there (the street officer triages, the district officer decides), so only
    the status can be wrong."""
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    district = await login_staff(client, "district1", "district_officer", DISTRICT)
    by_action = {"approve": district, "deny": district}
    application = await submit(client, alice)
    for step in reach:
        extra = APPROVE if step == "approve" else {}
        response = await act(client, by_action.get(step, street), application["id"], step, **extra)
        assert response.status_code == 200, (step, response.text)
    before = await _detail(client, street, application["id"])
    extra = APPROVE if action == "approve" else {}
    response = await act(client, by_action.get(action, street), application["id"], action, **extra)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "invalid_transition"
    after = await _detail(client, street, application["id"])
    assert after["status"] == before["status"]
    assert len(after["events"]) == len(before["events"])


async def test_withdrawn_cases_take_no_more_actions(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    await client.post(f"/applications/{application['id']}/withdraw", json={}, headers=alice)
    for action in ("accept", "reject", "refer"):
        response = await act(client, street, application["id"], action)
        assert response.status_code == 409


async def test_roles(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker, _ = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    other_worker, other_worker_id = await staff(client, "guanghua2", "community_worker", GUANGHUA)
    district, _ = await staff(client, "district1", "district_officer", DISTRICT)
    auditor, _ = await staff(client, "auditor1", "auditor", DISTRICT)
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    case_id = application["id"]

    # A district officer decides but does not triage.
    refused = await act(client, district, case_id, "accept")
    assert refused.status_code == 403
    assert refused.json()["code"]
    # An auditor reads but takes no action.
    for action in ("accept", "reject"):
        assert (await act(client, auditor, case_id, action)).status_code == 403
    assert (await act(client, worker, case_id, "accept")).status_code == 200

    # Only the assignee investigates.
    for headers in (other_worker, street):
        response = await act(client, headers, case_id, "start_investigation")
        assert response.status_code == 403
        assert response.json()["code"] == "not_assignee"
    assert (await act(client, worker, case_id, "start_investigation")).status_code == 200
    response = await act(client, other_worker, case_id, "submit_review")
    assert response.status_code == 403
    assert response.json()["code"] == "not_assignee"
    assert (await act(client, worker, case_id, "submit_review")).status_code == 200

    # A community worker or a street officer cannot approve; the district officer can.
    for headers in (worker, street, auditor):
        assert (await act(client, headers, case_id, "approve", **APPROVE)).status_code == 403
        assert (await act(client, headers, case_id, "deny")).status_code == 403
    assert (await act(client, district, case_id, "approve", **APPROVE)).status_code == 200

    # Closing is for street and district officers.
    for headers in (worker, auditor):
        assert (await act(client, headers, case_id, "close")).status_code == 403
    assert (await act(client, street, case_id, "close")).status_code == 200
    assert other_worker_id


async def test_transition_body_is_validated(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/transitions"
    for body in (
        {},
        {"action": "withdraw"},
        {"action": "teleport"},
        {"action": "accept", "status": "approved"},
        {"action": "accept", "note": "x" * 2001},
        {"action": "accept", "public_note": "x" * 501},
        {"action": "accept", "note": 5},
    ):
        response = await client.post(url, json=body, headers=street)
        assert response.status_code == 422, body
    assert (await _detail(client, street, application["id"]))["status"] == "submitted"


# --- assignment --------------------------------------------------------------------------------


async def test_assign_within_jurisdiction_only(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    _, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    _, station_id = await staff(client, "station1", "social_worker", LIUCHENG)
    _, neighbour_id = await staff(client, "nanjiang1", "community_worker", NANJIANG)
    _, other_street_id = await staff(client, "gongping1", "street_officer", GONGPING)
    _, auditor_id = await staff(client, "auditor1", "auditor", DISTRICT)
    _, admin_id = await staff(client, "admin1", "admin", DISTRICT)
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/assign"

    for assignee in (other_street_id, neighbour_id, auditor_id, admin_id, 999999):
        response = await client.post(url, json={"assignee_id": assignee}, headers=street)
        assert response.status_code == 422, (assignee, response.text)
        assert response.json()["code"] == "invalid_assignee"
    assert (await _detail(client, street, application["id"]))["assignee_id"] is None

    for assignee in (worker_id, station_id):
        response = await client.post(
            url, json={"assignee_id": assignee, "note": "请跟进"}, headers=street
        )
        assert response.status_code == 200, response.text
        assert response.json()["assignee_id"] == assignee
    assert await _queue(client, street, assignee_id=station_id) == [application["id"]]
    events = (await _detail(client, street, application["id"]))["events"]
    assert [e["action"] for e in events] == ["submit", "assign", "assign"]
    # Assignment is not a status change: the applicant's timeline does not show it.
    mine = (await client.get(f"/applications/{application['id']}", headers=alice)).json()
    assert [t["status"] for t in mine["timeline"]] == ["submitted"]


async def test_assign_needs_the_assign_role_and_an_open_case(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    district, _ = await staff(client, "district1", "district_officer", DISTRICT)
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/assign"
    refused = await client.post(url, json={"assignee_id": worker_id}, headers=worker)
    assert refused.status_code == 403
    for body in ({}, {"assignee_id": 0}, {"assignee_id": "x"}, {"assignee_id": 2**63}):
        assert (await client.post(url, json=body, headers=district)).status_code == 422
    assert (
        await client.post(url, json={"assignee_id": worker_id}, headers=district)
    ).status_code == 200

    await client.post(f"/applications/{application['id']}/withdraw", json={}, headers=alice)
    closed = await client.post(url, json={"assignee_id": worker_id}, headers=district)
    assert closed.status_code == 409


# --- notes ---------------------------------------------------------------------------------------


async def test_internal_notes_are_for_staff_public_notes_for_the_applicant(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    application = await submit(client, alice)
    case_id = application["id"]
    secret_note = "邻居反映其子女有稳定收入，需核实"
    response = await act(client, worker, case_id, "accept", note=secret_note, public_note="已受理")
    assert response.status_code == 200
    added = await client.post(
        f"/staff/applications/{case_id}/notes", json={"note": "电话未接通"}, headers=worker
    )
    assert added.status_code == 200
    assert added.json()["status"] == "accepted"

    detail = await _detail(client, worker, case_id)
    notes = [e["note"] for e in detail["events"]]
    assert secret_note in notes
    assert "电话未接通" in notes
    assert "已受理" in [e["public_note"] for e in detail["events"]]

    for path in (f"/applications/{case_id}", "/applications/mine"):
        seen = await client.get(path, headers=alice)
        assert seen.status_code == 200
        assert secret_note not in seen.text
        assert "电话未接通" not in seen.text
    timeline = (await client.get(f"/applications/{case_id}", headers=alice)).json()["timeline"]
    assert [(t["status"], t["note"]) for t in timeline] == [
        ("submitted", timeline[0]["note"]),
        ("accepted", "已受理"),
    ]
    assert (
        await client.post(f"/staff/applications/{case_id}/notes", json={"note": ""}, headers=worker)
    ).status_code == 422


async def test_two_staff_accepting_at_once_one_wins(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    first, first_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    second, second_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    application = await submit(client, alice)
    responses = await asyncio.gather(
        act(client, first, application["id"], "accept"),
        act(client, second, application["id"], "accept"),
        act(client, second, application["id"], "reject"),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409], [r.text for r in responses]
    detail = await _detail(client, second, application["id"])
    taken = [e for e in detail["events"] if e["action"] in {"accept", "reject"}]
    assert len(taken) == 1
    assert detail["status"] == {"accept": "accepted", "reject": "rejected"}[taken[0]["action"]]
    if taken[0]["action"] == "accept":
        assert detail["assignee_id"] == taken[0]["actor_id"] in {first_id, second_id}
