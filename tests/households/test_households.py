"""Households: registration, reading, search, editing, versions, jurisdiction, bad input."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.household import Household, HouseholdChange, HouseholdMember, Standard
from tests.helpers import id_number, login_staff
from tests.households.helpers import (
    GONGPING,
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    audit_actions,
    count_rows,
    create_household,
    household_body,
    member,
    street,
)

MASKED = re.compile(r"^510115\*{8}\d{3}[\dX]$")


async def test_create_returns_the_household_with_masked_members(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    head_id = id_number(date(1960, 2, 29))
    body = household_body(
        members=[
            member(
                name="王建国",
                id_number=head_id,
                income_sources={"wage": "500.00", "pension": "300.50"},
                monthly_income=None,
                disability_type="physical",
                disability_grade=2,
                chronic_illness=True,
                work_capacity="partial",
                employment="零工",
            ),
            member(
                name="王小明",
                id_number=id_number(date(2012, 6, 1)),
                relation="child",
                monthly_income="0",
            ),
        ],
        causes=["illness", "disability", "illness"],
        risk_level="high",
        risk_reason="户主重残",
    )
    response = await client.post("/staff/households", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert re.match(r"^WJH\d{4}-\d{6}$", created["reference"])
    assert created["region_name"] == "光华社区"
    assert created["status"] == "active"
    assert created["category"] is None and created["category_since"] is None
    assert created["causes"] == ["illness", "disability"]
    assert created["risk_level"] == "high" and created["risk_reason"] == "户主重残"
    assert created["members_count"] == 2
    assert created["monthly_income_total"] == "800.50"
    assert created["has_severe_member"] is True
    assert created["head"] == {
        "name": "王建国",
        "id_number_masked": head_id[:6] + "*" * 8 + head_id[-4:],
    }
    assert created["monthly_rigid_spending"] == {"medical": "200.00", "education": "0.00"}
    assert created["version"] == 1
    head, child = created["members"]
    assert MASKED.match(head["id_number_masked"])
    assert head["monthly_income"] == "800.50"
    assert head["income_sources"] == {"wage": "500.00", "pension": "300.50"}
    assert head["sex"] == ("male" if int(head_id[16]) % 2 else "female")
    assert head["age"] >= 66
    assert (head["disability_grade"], head["work_capacity"]) == (2, "partial")
    assert child["relation"] == "child" and child["monthly_income"] == "0.00"
    assert "id_number" not in head and "birth_date" not in head
    assert head_id not in response.text

    fetched = await client.get(f"/staff/households/{created['id']}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json()["members"] == created["members"]
    assert await audit_actions(created["id"]) == ["household.create", "household.view"]


async def test_standard_in_force_is_the_dibao_line_for_the_region(
    client: httpx.AsyncClient,
) -> None:
    from app.db.session import session_scope

    async with session_scope() as session:
        session.add(
            Standard(
                region_code="510115000000",
                kind="dibao",
                value=Decimal("870"),
                effective_from=date(2022, 7, 1),
            )
        )
    headers = await street(client)
    created = await create_household(client, headers)
    assert created["standard_in_force"] == "870.00"


async def test_raw_database_holds_no_clear_id_numbers(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope

    headers = await street(client)
    numbers = [id_number(date(1980, 1, 2)), id_number(date(1982, 4, 5))]
    created = await create_household(
        client,
        headers,
        members=[member(id_number=numbers[0]), member(id_number=numbers[1], relation="spouse")],
    )
    changed = await client.patch(
        f"/staff/households/{created['id']}/members/{created['members'][1]['id']}",
        json={"id_number": id_number(date(1983, 1, 1))},
        headers={**headers, "If-Match": "1"},
    )
    assert changed.status_code == 200, changed.text
    async with session_scope() as session:
        rows = (await session.execute(select(HouseholdMember))).scalars().all()
        changes = (await session.execute(select(HouseholdChange))).scalars().all()
        audits = (await session.execute(select(AuditEvent))).scalars().all()
    dumped = repr([vars(r) for r in [*rows, *changes, *audits]])
    for number in numbers:
        assert number not in dumped
    assert all(not r.id_enc.startswith("510115") and len(r.id_hash) == 64 for r in rows)


async def test_bad_input_is_refused_and_nothing_is_created(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    cases: list[tuple[dict[str, Any], int, str]] = [
        (household_body(members=[member(monthly_income="-1.00")]), 422, "validation_error"),
        (household_body(members=[member(monthly_income="1.001")]), 422, "validation_error"),
        (
            household_body(members=[member(income_sources={"wage": "-5"}, monthly_income=None)]),
            422,
            "validation_error",
        ),
        (
            household_body(
                members=[member(income_sources={"wage": "5.00"}, monthly_income="6.00")]
            ),
            422,
            "validation_error",
        ),
        (
            household_body(
                members=[member(id_number=person), member(id_number=person, relation="spouse")]
            ),
            422,
            "duplicate_member",
        ),
        (household_body(members=[member(), member(relation="head")]), 422, "exactly_one_head"),
        (household_body(members=[member(relation="spouse")]), 422, "exactly_one_head"),
        (household_body(region_code=LIUCHENG), 422, "region_not_community"),
        (household_body(region_code="510115099099"), 422, "invalid_region"),
        (household_body(region_code=GONGPING_COMMUNITY), 403, "outside_jurisdiction"),
        (household_body(status="exited"), 422, "validation_error"),
        (household_body(category="dibao"), 422, "validation_error"),
        (household_body(members=[member(secret="x")]), 422, "validation_error"),
        (household_body(risk_level="extreme"), 422, "validation_error"),
        (household_body(causes=["laziness"]), 422, "validation_error"),
        (household_body(members=[member(relation="cousin")]), 422, "validation_error"),
        (household_body(members=[member(work_capacity="some")]), 422, "validation_error"),
        (household_body(members=[member(disability_grade=5)]), 422, "validation_error"),
        (household_body(members=[member(id_number="510115197001010011")]), 422, "validation_error"),
        (household_body(members=[]), 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = await client.post("/staff/households", json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert "errors" in response.json(), response.text
    malformed = await client.post(
        "/staff/households",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    assert await count_rows(Household) == 0
    assert await count_rows(HouseholdMember) == 0
    listed = await client.get("/staff/households", headers=headers)
    assert listed.json()["items"] == []


async def test_a_person_in_another_active_household_is_refused(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    first = await create_household(client, headers, members=[member(id_number=person)])
    response = await client.post(
        "/staff/households",
        json=household_body(
            region_code=NANJIANG,
            members=[member(name="赵六"), member(id_number=person, relation="spouse")],
        ),
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "person_in_active_household"
    assert person not in response.text
    assert await count_rows(Household) == 1
    listed = await client.get("/staff/households", headers=headers)
    assert [h["id"] for h in listed.json()["items"]] == [first["id"]]


async def test_two_concurrent_registrations_of_one_person_make_one_household(
    client: httpx.AsyncClient,
) -> None:
    headers = await street(client)
    person = id_number()
    bodies = [
        household_body(members=[member(id_number=person)]),
        household_body(
            region_code=NANJIANG,
            members=[member(name="孙七"), member(id_number=person, relation="sibling")],
        ),
    ]
    responses = await asyncio.gather(
        *(client.post("/staff/households", json=b, headers=headers) for b in bodies)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "person_in_active_household"
    assert await count_rows(Household) == 1


async def test_jurisdiction_another_street_sees_nothing(client: httpx.AsyncClient) -> None:
    mine = await street(client)
    created = await create_household(client, mine)
    other = await login_staff(client, "gongping", "street_officer", GONGPING)
    hid = created["id"]
    member_id = created["members"][0]["id"]
    assert (await client.get("/staff/households", headers=other)).json()["items"] == []
    attempts = [
        client.get(f"/staff/households/{hid}", headers=other),
        client.patch(f"/staff/households/{hid}", json={"address": "x"}, headers=other),
        client.post(
            f"/staff/households/{hid}/members", json=member(relation="child"), headers=other
        ),
        client.patch(
            f"/staff/households/{hid}/members/{member_id}", json={"name": "x"}, headers=other
        ),
        client.request(
            "DELETE",
            f"/staff/households/{hid}/members/{member_id}",
            json={"reason": "搬走了"},
            headers=other,
        ),
        client.post(
            f"/staff/households/{hid}/members/{member_id}/reveal",
            json={"reason": "核对"},
            headers=other,
        ),
        client.get(f"/staff/households/{hid}/changes", headers=other),
        client.get(f"/staff/households/{hid}/category-history", headers=other),
        client.get(f"/staff/households/{hid}/ledger", headers=other),
        client.post(
            f"/staff/households/{hid}/ledger",
            json={"kind": "service", "date": "2026-11-01", "quantity": "1", "giver": "x"},
            headers=other,
        ),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "household_not_found"
    unchanged = await client.get(f"/staff/households/{hid}", headers=mine)
    assert unchanged.json()["version"] == 1
    # The community worker of 光华 sees it; the one of 南江 does not.
    guanghua = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    nanjiang = await login_staff(client, "nanjiang", "community_worker", NANJIANG)
    assert (await client.get(f"/staff/households/{hid}", headers=guanghua)).status_code == 200
    assert (await client.get(f"/staff/households/{hid}", headers=nanjiang)).status_code == 404


async def test_roles_reading_and_writing(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    created = await create_household(client, headers)
    auditor = await login_staff(client, "auditor", "auditor", "510115000000")
    admin = await login_staff(client, "admin", "admin", "510115000000")
    assert (
        await client.get(f"/staff/households/{created['id']}", headers=auditor)
    ).status_code == 200
    refused = await client.post("/staff/households", json=household_body(), headers=auditor)
    assert (refused.status_code, refused.json()["code"]) == (403, "scope_denied")
    patched = await client.patch(
        f"/staff/households/{created['id']}", json={"address": "x"}, headers=auditor
    )
    assert patched.status_code == 403
    after = (await client.get(f"/staff/households/{created['id']}", headers=headers)).json()
    assert (after["address"], after["version"]) == (created["address"], created["version"])
    assert await count_rows(Household) == 1
    assert (await client.get("/staff/households", headers=admin)).status_code == 403
    assert (await client.get("/staff/households")).status_code == 401


async def test_search_filters_and_pages(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    a = await create_household(
        client,
        headers,
        members=[member(name="欧阳锋", id_number=person)],
        causes=["old_age"],
        risk_level="high",
        risk_reason="独居",
    )
    b = await create_household(
        client,
        headers,
        region_code=NANJIANG,
        members=[member(name="黄药师")],
        causes=["illness", "education"],
        risk_level="low",
    )
    c = await create_household(
        client, headers, members=[member(name="欧阳克")], causes=[], risk_level="medium"
    )

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/staff/households", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [c["id"], b["id"], a["id"]]
    assert await ids(region_code=NANJIANG) == [b["id"]]
    assert await ids(region_code=LIUCHENG) == [c["id"], b["id"], a["id"]]
    assert await ids(cause="education") == [b["id"]]
    assert await ids(cause="old_age") == [a["id"]]
    assert await ids(risk_level="high") == [a["id"]]
    assert await ids(q="欧阳") == [c["id"], a["id"]]
    assert await ids(q="欧阳锋") == [a["id"]]
    assert await ids(q=person) == [a["id"]]
    assert await ids(q=person.lower()) == [a["id"]]
    assert await ids(q=b["reference"]) == [b["id"]]
    assert await ids(q="%") == []
    assert await ids(status="active") == [c["id"], b["id"], a["id"]]
    assert await ids(status="exited") == []
    assert await ids(category="dibao") == []

    first = await client.get("/staff/households", params={"limit": 2}, headers=headers)
    page = first.json()
    assert [i["id"] for i in page["items"]] == [c["id"], b["id"]]
    second = await client.get(
        "/staff/households", params={"limit": 2, "cursor": page["next_cursor"]}, headers=headers
    )
    assert [i["id"] for i in second.json()["items"]] == [a["id"]]
    assert second.json()["next_cursor"] is None
    item = second.json()["items"][0]
    assert set(item) >= {
        "id",
        "reference",
        "region_code",
        "region_name",
        "address",
        "category",
        "risk_level",
        "causes",
        "members_count",
        "head",
        "status",
        "updated_at",
    }
    assert item["head"]["name"] == "欧阳锋" and MASKED.match(item["head"]["id_number_masked"])

    for params in (
        {"category": "rich"},
        {"risk_level": "x"},
        {"status": "gone"},
        {"cause": "x"},
        {"region_code": "5101"},
        {"limit": 0},
        {"limit": 101},
        {"cursor": "!!!"},
    ):
        bad = await client.get("/staff/households", params=params, headers=headers)
        assert bad.status_code == 422, params


async def test_patch_versions_every_field_and_audits(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    created = await create_household(client, headers)
    hid = created["id"]
    response = await client.patch(
        f"/staff/households/{hid}",
        json={
            "address": "南江路8号",
            "region_code": NANJIANG,
            "causes": ["unemployment"],
            "risk_level": "high",
            "risk_reason": "户主失业",
            "monthly_rigid_spending": {"education": "150.50"},
        },
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert response.headers["ETag"] == '"2"'
    assert updated["version"] == 2
    assert updated["address"] == "南江路8号" and updated["region_name"] == "南江社区"
    assert updated["causes"] == ["unemployment"]
    assert updated["risk_level"] == "high" and updated["risk_reason"] == "户主失业"
    assert updated["risk_set_by_id"] is not None and updated["risk_set_at"]
    assert updated["monthly_rigid_spending"] == {"medical": "200.00", "education": "150.50"}

    changes = (await client.get(f"/staff/households/{hid}/changes", headers=headers)).json()
    latest = {c["field"]: c for c in changes["items"] if c["version"] == 2}
    assert set(latest) == {
        "address",
        "region_code",
        "causes",
        "risk_level",
        "risk_reason",
        "education_spending",
    }
    assert latest["address"]["old_value"] == "光华大道1号"
    assert latest["address"]["new_value"] == "南江路8号"
    assert latest["education_spending"]["old_value"] == "0.00"
    assert latest["education_spending"]["new_value"] == "150.50"
    assert latest["causes"]["old_value"] == ["illness"]
    assert latest["risk_level"]["action"] == "risk"
    assert all(c["actor_id"] == updated["risk_set_by_id"] for c in changes["items"])
    created_rows = [c for c in changes["items"] if c["version"] == 1]
    assert {c["action"] for c in created_rows} == {"create", "member_add"}
    assert "household.update" in await audit_actions(hid)

    # Nothing to change: no new version.
    same = await client.patch(
        f"/staff/households/{hid}",
        json={"address": "南江路8号"},
        headers={**headers, "If-Match": "2"},
    )
    assert same.status_code == 200, same.text
    assert same.json()["version"] == 2
    assert (await client.get(f"/staff/households/{hid}/changes", headers=headers)).json() == changes


async def test_patch_refuses_stale_versions_and_bad_input(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    created = await create_household(client, headers)
    hid = created["id"]
    first = await client.patch(
        f"/staff/households/{hid}", json={"address": "一号"}, headers={**headers, "If-Match": "1"}
    )
    assert first.json()["version"] == 2
    stale = await client.patch(
        f"/staff/households/{hid}", json={"address": "二号"}, headers={**headers, "If-Match": "1"}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert stale.json()["version"] == 2
    for body, extra, code in [
        ({"address": "x"}, {"If-Match": "abc"}, "invalid_if_match"),
        ({"risk_level": "high"}, {}, "validation_error"),
        ({"risk_reason": "只有理由"}, {}, "validation_error"),
        ({"address": None}, {}, "validation_error"),
        ({"causes": None}, {}, "validation_error"),
        ({"status": "exited"}, {}, "validation_error"),
        ({"category": "dibao"}, {}, "validation_error"),
        ({"reference": "X"}, {}, "validation_error"),
        ({"monthly_rigid_spending": {"medical": "-3"}}, {}, "validation_error"),
        ({"monthly_rigid_spending": {"rent": "3"}}, {}, "validation_error"),
        ({"region_code": LIUCHENG}, {}, "region_not_community"),
        ({"region_code": GONGPING_COMMUNITY}, {}, "outside_jurisdiction"),
    ]:
        response = await client.patch(
            f"/staff/households/{hid}", json=body, headers={**headers, "If-Match": "2", **extra}
        )
        status = 403 if code == "outside_jurisdiction" else 422
        assert (response.status_code, response.json()["code"]) == (status, code), body
    # Without If-Match a change is refused: it would overwrite what the caller never saw.
    blind = await client.patch(
        f"/staff/households/{hid}", json={"address": "三号"}, headers=headers
    )
    assert (blind.status_code, blind.json()["code"]) == (428, "if_match_required")
    assert blind.json()["version"] == 2
    missing = await client.patch("/staff/households/999999", json={"address": "x"}, headers=headers)
    assert missing.status_code == 404
    after = (await client.get(f"/staff/households/{hid}", headers=headers)).json()
    assert after["version"] == 2 and after["address"] == "一号"
    assert after["region_code"] == GUANGHUA


async def test_idempotent_creation(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    body = household_body()
    keyed = {**headers, "Idempotency-Key": "create-1"}
    first = await client.post("/staff/households", json=body, headers=keyed)
    again = await client.post("/staff/households", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await client.post("/staff/households", json=household_body(), headers=keyed)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_mismatch")
    assert await count_rows(Household) == 1


@pytest.mark.parametrize("role", ["community_worker", "social_worker"])
async def test_workers_register_in_their_own_area(client: httpx.AsyncClient, role: str) -> None:
    headers = await login_staff(client, f"worker-{role}", role, GUANGHUA)
    created = await create_household(client, headers)
    assert created["created_at"]
    refused = await client.post(
        "/staff/households", json=household_body(region_code=NANJIANG), headers=headers
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "outside_jurisdiction")


async def test_hostile_input_is_a_4xx_never_a_500(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    created = await create_household(client, headers)
    hid = created["id"]
    huge = 2**63
    requests = [
        client.get(f"/staff/households/{huge}", headers=headers),
        client.get(
            f"/staff/households/{hid}/ledger", params={"cursor": "WyJ4IiwgMV0"}, headers=headers
        ),
        client.get(
            f"/staff/households/{hid}/changes", params={"cursor": "WyJhYmMiXQ"}, headers=headers
        ),
        client.patch(
            f"/staff/households/{hid}/members/{huge}", json={"name": "x"}, headers=headers
        ),
        client.get("/staff/households", params={"q": "张\x00"}, headers=headers),
        client.post("/staff/households", json=household_body(address="a\x00b"), headers=headers),
        client.post(
            "/staff/households",
            json=household_body(members=[member(monthly_income="NaN")]),
            headers=headers,
        ),
        client.post(
            "/staff/households",
            json=household_body(members=[member(monthly_income="1e30")]),
            headers=headers,
        ),
        client.post(
            "/staff/households",
            content=json.dumps(household_body(members=[member(monthly_income="INF")])).replace(
                '"INF"', "Infinity"
            ),
            headers={**headers, "Content-Type": "application/json"},
        ),
        client.post(
            "/staff/households",
            json=household_body(members=[member(name="名" * 51)]),
            headers=headers,
        ),
        client.post("/staff/households", json=[], headers=headers),
        client.patch(f"/staff/households/{hid}", json="address", headers=headers),
    ]
    for request in requests:
        response = await request
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["code"]
    detail = (await client.get(f"/staff/households/{hid}", headers=headers)).json()
    assert detail["version"] == 1
    assert await count_rows(Household) == 1
