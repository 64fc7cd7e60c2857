"""One-click help from the resident's and the agency's side: submit, read, list, withdraw."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.kit.idnumber import make_id_number
from app.kit.timeutil import now
from tests.helpers import application_body, id_number, login_resident, login_staff
from tests.intake.support import (
    GUANGHUA,
    LIUCHENG,
    act,
    agency_headers,
    count_applications,
    set_application,
    staff,
    submit,
)

MASKED_ID = re.compile(r"^510115\*{8}\d{3}[\dX]$")


async def test_self_application_is_created_with_masked_personal_data(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "alice")
    number = id_number()
    response = await client.post(
        "/applications",
        json=application_body(subject={"id_number": number, "phone": "13912345678"}),
        headers=resident,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert body["channel"] == "mini_program"
    assert body["relation"] == "self"
    assert re.match(r"^WJ\d{4}-\d{6}$", body["reference"])
    subject = body["subject"]
    assert subject["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert MASKED_ID.match(subject["id_number_masked"])
    assert subject["phone_masked"] == "139****5678"
    assert subject["name"] == "张三"
    assert subject["region_code"] == GUANGHUA
    assert subject["household_size"] == 3
    assert "id_number" not in subject and "phone" not in subject
    assert number not in response.text
    assert "13912345678" not in response.text
    assert body["help_types"] == ["basic_living"]
    assert [entry["status"] for entry in body["timeline"]] == ["submitted"]
    assert body["created_at"].endswith("+08:00")

    fetched = await client.get(f"/applications/{body['id']}", headers=resident)
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert number not in fetched.text


@pytest.mark.parametrize(
    ("relation", "channel"),
    [
        ("self", "mini_program"),
        ("family", "mini_program_report"),
        ("neighbor", "mini_program_report"),
        ("grid_worker", "mini_program_report"),
        ("volunteer", "mini_program_report"),
        ("other", "mini_program_report"),
    ],
)
async def test_channel_follows_the_relation(
    client: httpx.AsyncClient, relation: str, channel: str
) -> None:
    resident = await login_resident(client, "reporter")
    body = await submit(client, resident, relation=relation)
    assert body["channel"] == channel
    assert body["relation"] == relation


async def test_reporting_someone_else_needs_no_id_number(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "neighbour")
    body = await submit(
        client,
        resident,
        relation="neighbor",
        subject={"id_number": None, "phone": None, "name": "王大爷"},
        help_types=["care", "basic_living"],
    )
    assert body["subject"]["id_number_masked"] is None
    assert body["subject"]["phone_masked"] is None
    assert body["channel"] == "mini_program_report"
    assert body["help_types"] == ["care", "basic_living"]


async def test_agency_submits_with_its_api_key(client: httpx.AsyncClient) -> None:
    agency = await agency_headers()
    body = await submit(client, agency, relation="agency")
    assert body["channel"] == "agency"
    mine = await client.get("/applications/mine", headers=agency)
    assert mine.status_code == 200
    assert [a["id"] for a in mine.json()["items"]] == [body["id"]]
    assert (await client.get(f"/applications/{body['id']}", headers=agency)).status_code == 200

    bad_key = await client.post(
        "/applications", json=application_body(), headers={"X-API-Key": "jzk_not-a-key"}
    )
    assert bad_key.status_code == 401
    assert bad_key.json()["code"] == "invalid_api_key"


async def test_agency_cannot_read_a_resident_application(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "alice")
    body = await submit(client, resident)
    agency = await agency_headers()
    assert (await client.get(f"/applications/{body['id']}", headers=agency)).status_code == 404


async def test_staff_enter_an_application_with_channel_staff(client: httpx.AsyncClient) -> None:
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    response = await client.post("/staff/applications", json=application_body(), headers=worker)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["channel"] == "staff"
    assert body["status"] == "submitted"
    assert body["subject"]["region_name"] == "光华社区"
    assert [(e["action"], e["actor_kind"], e["actor_id"]) for e in body["events"]] == [
        ("submit", "staff", worker_id)
    ]

    auditor = await login_staff(client, "auditor1", "auditor", "510115000000")
    refused = await client.post("/staff/applications", json=application_body(), headers=auditor)
    assert refused.status_code == 403
    resident = await login_resident(client, "alice")
    refused = await client.post("/staff/applications", json=application_body(), headers=resident)
    assert refused.status_code == 403
    assert await count_applications() == 1


def _with(path: str, value: Any) -> dict[str, Any]:
    """A valid body with one field (``a.b``) replaced, or removed when value is ``...``."""
    body = application_body()
    *parents, leaf = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    if value is ...:
        target.pop(leaf)
    else:
        target[leaf] = value
    return body


def _bad_id_checksum() -> str:
    good = id_number()
    return good[:17] + ("0" if good[17] != "0" else "1")


INVALID_BODIES: dict[str, Any] = {
    "not an object": ["relation", "self"],
    "relation missing": _with("relation", ...),
    "relation unknown": _with("relation", "cousin"),
    "relation wrong type": _with("relation", 1),
    "subject missing": _with("subject", ...),
    "subject wrong type": _with("subject", "张三"),
    "name missing": _with("subject.name", ...),
    "name empty": _with("subject.name", ""),
    "name blank": _with("subject.name", "   "),
    "name over 50": _with("subject.name", "张" * 51),
    "name wrong type": _with("subject.name", ["张三"]),
    "name with NUL": _with("subject.name", "张\u0000三"),
    "id checksum": _with("subject.id_number", _bad_id_checksum()),
    "id birth date impossible": _with("subject.id_number", "510115198013011234"),
    "id born in the future": _with(
        "subject.id_number", make_id_number("510115", date.today() + timedelta(days=400), 1)
    ),
    "id too short": _with("subject.id_number", "51011519800101"),
    "id with letters": _with("subject.id_number", "51011519800101ABCD"),
    "id wrong type": _with("subject.id_number", 510115198001011234),
    "self without id": _with("subject.id_number", ...),
    "self with empty id": _with("subject.id_number", ""),
    "self with null id": _with("subject.id_number", None),
    "phone invalid": _with("subject.phone", "12345"),
    "phone wrong type": _with("subject.phone", 13800001234),
    "region malformed": _with("subject.region_code", "5101150010"),
    "region missing": _with("subject.region_code", ...),
    "address over 200": _with("subject.address", "路" * 201),
    "household size zero": _with("subject.household_size", 0),
    "household size huge": _with("subject.household_size", 10**12),
    "household size text": _with("subject.household_size", "three"),
    "help types missing": _with("help_types", ...),
    "help types empty": _with("help_types", []),
    "help types unknown": _with("help_types", ["money"]),
    "help types not a list": _with("help_types", "basic_living"),
    "description over 2000": _with("description", "难" * 2001),
    "description wrong type": _with("description", {"text": "x"}),
    "consent false": _with("consent", False),
    "consent missing": _with("consent", ...),
    "consent null": _with("consent", None),
    "unknown top-level field": {**application_body(), "urgent": True},
    "unknown subject field": _with("subject.religion", "x"),
    "status in body": {**application_body(), "status": "approved"},
    "channel in body": {**application_body(), "channel": "staff"},
    "assignee in body": {**application_body(), "assignee_id": 1},
    "reference in body": {**application_body(), "reference": "WJ2026-000001"},
    "id in body": {**application_body(), "id": 1},
}


@pytest.mark.parametrize("case", list(INVALID_BODIES))
async def test_invalid_bodies_are_422_with_a_code_and_store_nothing(
    client: httpx.AsyncClient, case: str
) -> None:
    resident = await login_resident(client, "alice")
    response = await client.post("/applications", json=INVALID_BODIES[case], headers=resident)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"]
    assert body["errors"] and all("field" in e for e in body["errors"])
    assert await count_applications() == 0


async def test_validation_errors_name_the_field_and_never_echo_the_id_number(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "alice")
    bad = _bad_id_checksum()
    response = await client.post(
        "/applications", json=_with("subject.id_number", bad), headers=resident
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["subject.id_number"]
    assert bad not in response.text

    response = await client.post(
        "/applications", json=_with("subject.name", "张" * 51), headers=resident
    )
    assert [e["field"] for e in response.json()["errors"]] == ["subject.name"]


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "alice")
    for raw in (
        b'{"relation": "self",',
        b"not json at all",
        b"",
        b"\xff\xfe\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"relation": "self"}{"relation": "self"}',
    ):
        response = await client.post(
            "/applications",
            content=raw,
            headers={**resident, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (raw, response.text)
        assert response.json()["code"] in {"malformed_json", "validation_error"}
    truncated = await client.post(
        "/applications",
        content=b'{"relation": "self",',
        headers={**resident, "Content-Type": "application/json"},
    )
    assert truncated.json()["code"] == "malformed_json"
    assert await count_applications() == 0


async def test_region_must_exist_and_be_a_community(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "alice")
    unknown = await client.post(
        "/applications", json=_with("subject.region_code", "510115099099"), headers=resident
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "invalid_region"
    street = await client.post(
        "/applications", json=_with("subject.region_code", LIUCHENG), headers=resident
    )
    assert street.status_code == 422
    assert street.json()["code"] == "region_not_community"
    district = await client.post(
        "/applications", json=_with("subject.region_code", "510115000000"), headers=resident
    )
    assert district.status_code == 422
    assert district.json()["code"] == "region_not_community"
    assert await count_applications() == 0


async def test_id_number_is_normalised(client: httpx.AsyncClient) -> None:
    """A lower-case check letter and spaces around are accepted and the same person."""
    from app.kit.idnumber import check_digit

    first17 = next(
        f"51011519800101{n:03d}"
        for n in range(1000)
        if check_digit(f"51011519800101{n:03d}") == "X"
    )
    resident = await login_resident(client, "alice")
    body = await submit(client, resident, subject={"id_number": f" {first17}x "})
    assert body["subject"]["id_number_masked"].endswith("X")


async def test_another_residents_application_is_404(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    bob = await login_resident(client, "bob")
    mine = await submit(client, alice)
    response = await client.get(f"/applications/{mine['id']}", headers=bob)
    assert response.status_code == 404
    assert response.json()["code"] == "application_not_found"
    missing = await client.get("/applications/999999", headers=alice)
    assert missing.status_code == 404
    assert missing.json() == response.json()
    withdraw = await client.post(f"/applications/{mine['id']}/withdraw", json={}, headers=bob)
    assert withdraw.status_code == 404
    assert (await client.get(f"/applications/{mine['id']}", headers=alice)).json()[
        "status"
    ] == "submitted"


@pytest.mark.parametrize("application_id", ["0", "-1", "abc", "9223372036854775808", "1e3"])
async def test_odd_application_ids_are_not_500(
    client: httpx.AsyncClient, application_id: str
) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    for response in (
        await client.get(f"/applications/{application_id}", headers=alice),
        await client.post(f"/applications/{application_id}/withdraw", json={}, headers=alice),
        await client.get(f"/staff/applications/{application_id}", headers=street),
        await client.post(
            f"/staff/applications/{application_id}/reveal", json={"reason": "核实"}, headers=street
        ),
    ):
        assert response.status_code in {404, 422}, response.text


async def test_mine_lists_only_own_newest_first_with_cursor_paging(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    bob = await login_resident(client, "bob")
    ids = [(await submit(client, alice))["id"] for _ in range(3)]
    await submit(client, bob)

    full = await client.get("/applications/mine", headers=alice)
    assert full.status_code == 200
    assert [a["id"] for a in full.json()["items"]] == ids[::-1]
    assert full.json()["next_cursor"] is None

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/applications/mine", params=params, headers=alice)
        assert page.status_code == 200
        items = page.json()["items"]
        assert len(items) <= 1
        seen += [a["id"] for a in items]
        cursor = page.json()["next_cursor"]
        pages += 1
        if cursor is None:
            break
        assert pages < 10
    assert seen == ids[::-1]

    bobs = await client.get("/applications/mine", headers=bob)
    assert len(bobs.json()["items"]) == 1
    assert bobs.json()["items"][0]["id"] not in ids


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        "WyJhYmMiXQ",  # ["abc"]
        "WzEsMl0",  # [1,2]
        "e30",  # {}
        "W251bGxd",  # [null]
        "WzEuNV0",  # [1.5]
        "W3RydWVd",  # [true]
        "Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTldIA",  # [99999999999999999999999]
        "Wy0xXQ",  # [-1]
    ],
)
async def test_bad_cursor_is_422(client: httpx.AsyncClient, cursor: str) -> None:
    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    for path, headers in (("/applications/mine", alice), ("/staff/applications", street)):
        response = await client.get(path, params={"cursor": cursor}, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["code"] == "invalid_cursor"


async def test_limit_is_bounded(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    for limit in ("0", "101", "-1", "x"):
        response = await client.get("/applications/mine", params={"limit": limit}, headers=alice)
        assert response.status_code == 422, limit
    assert (
        await client.get("/applications/mine", params={"limit": 100}, headers=alice)
    ).status_code == 200


async def test_withdraw_from_submitted(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    created = await submit(client, alice)
    response = await client.post(
        f"/applications/{created['id']}/withdraw", json={"note": "问题已解决"}, headers=alice
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    assert [e["status"] for e in response.json()["timeline"]] == ["submitted", "withdrawn"]
    assert response.json()["timeline"][-1]["note"] == "问题已解决"
    again = await client.post(f"/applications/{created['id']}/withdraw", json={}, headers=alice)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


async def test_withdraw_while_accepted_or_investigating(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker, _ = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    accepted = await submit(client, alice)
    investigating = await submit(client, alice)
    assert (await act(client, worker, accepted["id"], "accept")).status_code == 200
    assert (await act(client, worker, investigating["id"], "accept")).status_code == 200
    assert (
        await act(client, worker, investigating["id"], "start_investigation")
    ).status_code == 200
    for application in (accepted, investigating):
        response = await client.post(
            f"/applications/{application['id']}/withdraw", json={}, headers=alice
        )
        assert response.status_code == 200
        assert response.json()["status"] == "withdrawn"


async def test_withdraw_is_409_once_reviewing_or_decided(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    worker, _ = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    district = await login_staff(client, "district1", "district_officer", "510115000000")
    created = await submit(client, alice)
    for action in ("accept", "start_investigation", "submit_review"):
        assert (await act(client, worker, created["id"], action)).status_code == 200
    reviewing = await client.post(f"/applications/{created['id']}/withdraw", json={}, headers=alice)
    assert reviewing.status_code == 409
    assert reviewing.json()["code"] == "invalid_transition"
    approved = await act(
        client,
        district,
        created["id"],
        "approve",
        decision={"category": "dibao", "monthly_amount": "870"},
    )
    assert approved.status_code == 200
    decided = await client.post(f"/applications/{created['id']}/withdraw", json={}, headers=alice)
    assert decided.status_code == 409
    detail = await client.get(f"/applications/{created['id']}", headers=alice)
    assert detail.json()["status"] == "approved"


async def test_withdraw_refuses_unknown_fields(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    created = await submit(client, alice)
    response = await client.post(
        f"/applications/{created['id']}/withdraw",
        json={"note": "x", "status": "closed"},
        headers=alice,
    )
    assert response.status_code == 422
    detail = await client.get(f"/applications/{created['id']}", headers=alice)
    assert detail.json()["status"] == "submitted"


async def test_repeat_report_about_the_same_person_is_linked(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    neighbour = await login_resident(client, "neighbour")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    number = id_number()
    first = await submit(client, alice, subject={"id_number": number})
    second = await submit(
        client, neighbour, relation="neighbor", subject={"id_number": number, "name": "张三"}
    )
    assert second["id"] != first["id"]
    assert await count_applications() == 2

    queue = (await client.get("/staff/applications", headers=street)).json()["items"]
    by_id = {item["id"]: item for item in queue}
    assert by_id[second["id"]]["linked_to_id"] == first["id"]
    assert by_id[first["id"]]["linked_to_id"] is None

    first_detail = await client.get(f"/staff/applications/{first['id']}", headers=street)
    second_detail = await client.get(f"/staff/applications/{second['id']}", headers=street)
    assert first_detail.json()["linked_application_ids"] == [second["id"]]
    assert second_detail.json()["linked_application_ids"] == [first["id"]]

    # A third report joins the same case, linked to the first.
    third = await submit(client, alice, relation="family", subject={"id_number": number})
    third_detail = await client.get(f"/staff/applications/{third['id']}", headers=street)
    assert third_detail.json()["linked_to_id"] == first["id"]
    first_detail = await client.get(f"/staff/applications/{first['id']}", headers=street)
    assert first_detail.json()["linked_application_ids"] == [second["id"], third["id"]]


async def test_reports_by_phone_and_name_are_linked_without_an_id_number(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    subject = {"id_number": None, "phone": "13700001111", "name": "赵四"}
    first = await submit(client, alice, relation="neighbor", subject=subject)
    second = await submit(client, alice, relation="volunteer", subject=subject)
    other_name = await submit(
        client, alice, relation="volunteer", subject={**subject, "name": "钱五"}
    )
    detail = await client.get(f"/staff/applications/{second['id']}", headers=street)
    assert detail.json()["linked_to_id"] == first["id"]
    other = await client.get(f"/staff/applications/{other_name['id']}", headers=street)
    assert other.json()["linked_to_id"] is None


async def test_no_link_once_the_first_case_is_over(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    number = id_number()
    first = await submit(client, alice, subject={"id_number": number})
    await client.post(f"/applications/{first['id']}/withdraw", json={}, headers=alice)
    second = await submit(client, alice, subject={"id_number": number})
    detail = await client.get(f"/staff/applications/{second['id']}", headers=street)
    assert detail.json()["linked_to_id"] is None
    assert detail.json()["linked_application_ids"] == []


async def test_due_at_emergency_is_24_hours(client: httpx.AsyncClient) -> None:
    from datetime import datetime

    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    urgent = await submit(client, alice, help_types=["medical", "emergency"])
    detail = (await client.get(f"/staff/applications/{urgent['id']}", headers=street)).json()
    created = datetime.fromisoformat(detail["created_at"])
    due = datetime.fromisoformat(detail["due_at"])
    assert due - created == timedelta(hours=24)
    assert detail["priority"] == "urgent"
    assert detail["overdue"] is False

    ordinary = await submit(client, alice)
    detail = (await client.get(f"/staff/applications/{ordinary['id']}", headers=street)).json()
    created = datetime.fromisoformat(detail["created_at"])
    due = datetime.fromisoformat(detail["due_at"])
    assert detail["priority"] == "normal"
    assert timedelta(days=3) <= due - created <= timedelta(days=5)
    assert due.time() == created.time()


async def test_overdue_filter(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    late = await submit(client, alice)
    on_time = await submit(client, alice)
    await set_application(late["id"], due_at=now() - timedelta(hours=1))

    overdue = await client.get("/staff/applications", params={"overdue": "true"}, headers=street)
    assert overdue.status_code == 200
    assert [item["id"] for item in overdue.json()["items"]] == [late["id"]]
    assert overdue.json()["items"][0]["overdue"] is True

    everything = await client.get("/staff/applications", headers=street)
    flags = {item["id"]: item["overdue"] for item in everything.json()["items"]}
    assert flags == {late["id"]: True, on_time["id"]: False}

    # Once accepted a case is no longer overdue for acceptance.
    assert (await act(client, street, late["id"], "accept")).status_code == 200
    overdue = await client.get("/staff/applications", params={"overdue": "true"}, headers=street)
    assert overdue.json()["items"] == []


async def test_staff_enter_applications_only_within_their_jurisdiction(
    client: httpx.AsyncClient,
) -> None:
    other_street = await login_staff(client, "gongping1", "street_officer", "510115002000")
    response = await client.post(
        "/staff/applications", json=application_body(), headers=other_street
    )
    assert response.status_code == 403
    assert response.json()["code"] == "outside_jurisdiction"
    assert await count_applications() == 0
    inside = await client.post(
        "/staff/applications",
        json=application_body(subject={"region_code": "510115002001"}),
        headers=other_street,
    )
    assert inside.status_code == 201
