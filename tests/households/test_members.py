"""Members: adding, editing, handing over the head, removing with a reason, revealing an ID."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from app.models.household import HouseholdMember
from tests.helpers import id_number, login_staff
from tests.households.helpers import (
    GONGPING,
    NANJIANG,
    audit_actions,
    count_rows,
    create_household,
    member,
    street,
)


def url(household: dict[str, Any], member_id: int | None = None) -> str:
    base = f"/staff/households/{household['id']}/members"
    return base if member_id is None else f"{base}/{member_id}"


def at(headers: dict[str, str], version: int) -> dict[str, str]:
    """The headers with ``If-Match`` naming the version last read."""
    return {**headers, "If-Match": str(version)}


async def changes(client: httpx.AsyncClient, headers: dict[str, str], hid: int) -> list[Any]:
    response = await client.get(f"/staff/households/{hid}/changes", headers=headers)
    return list(response.json()["items"])


async def test_add_member_updates_the_summary_and_history(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    person = id_number(date(2015, 9, 9))
    response = await client.post(
        url(household),
        json=member(
            name="张小宝",
            id_number=person,
            relation="child",
            severe_illness=True,
            monthly_income="0.00",
        ),
        headers={**headers, "Idempotency-Key": "add-child"},
    )
    assert response.status_code == 201, response.text
    updated = response.json()
    assert updated["members_count"] == 3
    assert updated["monthly_income_total"] == "1200.00"
    assert updated["has_severe_member"] is True
    assert updated["version"] == 2
    child = updated["members"][-1]
    assert child["name"] == "张小宝" and child["age"] == 11 and child["relation"] == "child"
    assert person not in response.text
    replay = await client.post(
        url(household),
        json=member(
            name="张小宝",
            id_number=person,
            relation="child",
            severe_illness=True,
            monthly_income="0.00",
        ),
        headers={**headers, "Idempotency-Key": "add-child"},
    )
    assert replay.status_code == 201 and replay.json() == updated
    history = await changes(client, headers, household["id"])
    added = [c for c in history if c["version"] == 2]
    assert [(c["action"], c["field"], c["member_id"]) for c in added] == [
        ("member_add", "member", child["id"])
    ]
    assert added[0]["new_value"] == {
        "name": "张小宝",
        "id_number_masked": child["id_number_masked"],
        "relation": "child",
    }
    assert "household.member_add" in await audit_actions(household["id"])


async def test_add_member_refusals_change_nothing(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    elsewhere = id_number()
    await create_household(
        client, headers, region_code=NANJIANG, members=[member(id_number=elsewhere)]
    )
    cases = [
        (member(id_number=elsewhere, relation="child"), 409, "person_in_active_household"),
        (member(monthly_income="-0.01", relation="child"), 422, "validation_error"),
        (member(relation="child", nickname="x"), 422, "validation_error"),
        (member(relation="uncle"), 422, "validation_error"),
        (member(id_number="123", relation="child"), 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = await client.post(url(household), json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, code), body
    spouse = household["members"][1]
    moved = await client.patch(
        url(household, spouse["id"]), json={"id_number": elsewhere}, headers=at(headers, 1)
    )
    assert (moved.status_code, moved.json()["code"]) == (409, "person_in_active_household")
    fetched = await client.get(f"/staff/households/{household['id']}", headers=headers)
    assert fetched.json()["version"] == 1
    assert fetched.json()["members"][1]["id_number_masked"] == spouse["id_number_masked"]
    assert fetched.json()["members_count"] == 2
    assert await count_rows(HouseholdMember) == 3


async def test_same_person_twice_in_one_household(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    household = await create_household(
        client, headers, members=[member(id_number=person), member(relation="spouse")]
    )
    again = await client.post(
        url(household), json=member(id_number=person, relation="child"), headers=headers
    )
    assert (again.status_code, again.json()["code"]) == (422, "duplicate_member")
    spouse = household["members"][1]
    moved = await client.patch(
        url(household, spouse["id"]), json={"id_number": person}, headers=at(headers, 1)
    )
    assert (moved.status_code, moved.json()["code"]) == (422, "duplicate_member")


async def test_update_member_fields_income_and_id(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    spouse = household["members"][1]
    new_id = id_number(date(1972, 3, 9))
    response = await client.patch(
        url(household, spouse["id"]),
        json={
            "name": "李小华",
            "id_number": new_id,
            "disability_type": "visual",
            "disability_grade": 1,
            "work_capacity": "none",
            "employment": "无",
            "income_sources": {"transfer": "100.25", "other": "50"},
            "chronic_illness": True,
        },
        headers={**headers, "If-Match": "1"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    updated = response.json()
    changed = next(m for m in updated["members"] if m["id"] == spouse["id"])
    assert changed["name"] == "李小华"
    assert changed["id_number_masked"] == new_id[:6] + "********" + new_id[-4:]
    assert changed["monthly_income"] == "150.25"
    assert changed["income_sources"] == {"transfer": "100.25", "other": "50.00"}
    assert (changed["disability_grade"], changed["work_capacity"]) == (1, "none")
    assert updated["has_severe_member"] is True
    assert updated["monthly_income_total"] == "750.25"
    history = {
        c["field"]: c for c in await changes(client, headers, household["id"]) if c["version"] == 2
    }
    assert history["id_number"]["old_value"] == spouse["id_number_masked"]
    assert history["id_number"]["new_value"] == changed["id_number_masked"]
    assert history["monthly_income"]["old_value"] == "600.00"
    assert history["monthly_income"]["new_value"] == "150.25"
    assert (history["disability_grade"]["old_value"], history["disability_grade"]["new_value"]) == (
        None,
        1,
    )
    assert all(c["member_id"] == spouse["id"] for c in history.values())

    # Clearing the disability again; null is allowed where it means "none".
    cleared = await client.patch(
        url(household, spouse["id"]),
        json={"disability_grade": None, "disability_type": None},
        headers=at(headers, 2),
    )
    assert cleared.json()["has_severe_member"] is False

    refused = [
        ({"monthly_income": "-1"}, 422, "validation_error"),
        ({"monthly_income": "10.00", "income_sources": {"wage": "9.00"}}, 422, "validation_error"),
        ({"income_sources": {"lottery": "9.00"}}, 422, "validation_error"),
        ({"name": None}, 422, "validation_error"),
        ({"active": False}, 422, "validation_error"),
        ({"disability_grade": 0}, 422, "validation_error"),
        ({"relation": "head"}, 409, "stale_version"),
    ]
    for body, status, code in refused:
        headers_used = {**headers, "If-Match": "1"} if code == "stale_version" else headers
        response = await client.patch(url(household, spouse["id"]), json=body, headers=headers_used)
        assert (response.status_code, response.json()["code"]) == (status, code), body
    missing = await client.patch(url(household, 999999), json={"name": "x"}, headers=at(headers, 3))
    assert (missing.status_code, missing.json()["code"]) == (404, "member_not_found")
    after = (await client.get(f"/staff/households/{household['id']}", headers=headers)).json()
    assert after["version"] == 3
    assert after["head"]["name"] == "张大山"


async def test_income_as_a_single_figure_clears_the_sources(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(
        client,
        headers,
        members=[
            member(income_sources={"wage": "800.00", "pension": "100.00"}, monthly_income="900.00")
        ],
    )
    head = household["members"][0]
    assert head["monthly_income"] == "900.00"
    response = await client.patch(
        url(household, head["id"]), json={"monthly_income": 320}, headers=at(headers, 1)
    )
    changed = response.json()["members"][0]
    assert changed["monthly_income"] == "320.00" and changed["income_sources"] == {}
    assert response.json()["monthly_income_total"] == "320.00"


async def test_handing_over_and_removing_the_head(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    head, spouse = household["members"]
    demote = await client.patch(
        url(household, head["id"]), json={"relation": "spouse"}, headers=at(headers, 1)
    )
    assert (demote.status_code, demote.json()["code"]) == (409, "head_required")
    remove_head = await client.request(
        "DELETE", url(household, head["id"]), json={"reason": "去世"}, headers=at(headers, 1)
    )
    assert (remove_head.status_code, remove_head.json()["code"]) == (409, "head_required")

    promoted = await client.patch(
        url(household, spouse["id"]), json={"relation": "head"}, headers=at(headers, 1)
    )
    assert promoted.status_code == 200, promoted.text
    after = promoted.json()
    relations = {m["id"]: m["relation"] for m in after["members"]}
    assert relations == {head["id"]: "other", spouse["id"]: "head"}
    assert after["head"] == {"name": spouse["name"], "id_number_masked": spouse["id_number_masked"]}
    history = [c for c in await changes(client, headers, household["id"]) if c["version"] == 2]
    assert {(c["member_id"], c["new_value"]) for c in history} == {
        (spouse["id"], "head"),
        (head["id"], "other"),
    }

    no_reason = await client.request("DELETE", url(household, head["id"]), headers=headers)
    assert no_reason.status_code == 422
    short = await client.request(
        "DELETE", url(household, head["id"]), json={"reason": ""}, headers=headers
    )
    assert short.status_code == 422
    removed = await client.request(
        "DELETE", url(household, head["id"]), json={"reason": "因病去世"}, headers=at(headers, 2)
    )
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert [m["id"] for m in body["members"]] == [spouse["id"]]
    assert body["members_count"] == 1 and body["monthly_income_total"] == "600.00"
    former = body["former_members"][0]
    assert former["id"] == head["id"] and former["removed_reason"] == "因病去世"
    assert former["active"] is False and former["removed_at"]
    history = [c for c in await changes(client, headers, household["id"]) if c["version"] == 3]
    assert {c["field"]: c["new_value"] for c in history}["removed_reason"] == "因病去世"
    again = await client.patch(
        url(household, head["id"]), json={"name": "x"}, headers=at(headers, 3)
    )
    assert (again.status_code, again.json()["code"]) == (409, "member_removed")
    assert "household.member_remove" in await audit_actions(household["id"])

    # The last member, the head, may leave: the household is then empty.
    last = await client.request(
        "DELETE", url(household, spouse["id"]), json={"reason": "迁出本区"}, headers=at(headers, 3)
    )
    assert last.status_code == 200
    assert last.json()["members_count"] == 0 and last.json()["head"]["name"] == ""
    lonely = await client.post(url(household), json=member(relation="child"), headers=headers)
    assert (lonely.status_code, lonely.json()["code"]) == (409, "head_required")
    new_head = await client.post(url(household), json=member(name="新户主"), headers=headers)
    assert new_head.status_code == 201
    assert new_head.json()["head"]["name"] == "新户主"


async def test_a_removed_member_may_join_another_household(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    household = await create_household(
        client, headers, members=[member(), member(id_number=person, relation="child")]
    )
    child = household["members"][1]
    refused = await create_household_status(client, headers, person)
    assert refused == 409
    left = await client.request(
        "DELETE", url(household, child["id"]), json={"reason": "分户"}, headers=at(headers, 1)
    )
    assert left.status_code == 200, left.text
    assert await create_household_status(client, headers, person) == 201


async def create_household_status(
    client: httpx.AsyncClient, headers: dict[str, str], person: str
) -> int:
    from tests.households.helpers import household_body

    response = await client.post(
        "/staff/households",
        json=household_body(region_code=NANJIANG, members=[member(id_number=person)]),
        headers=headers,
    )
    return response.status_code


async def test_reveal_is_audited_and_limited(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_number()
    household = await create_household(client, headers, members=[member(id_number=person)])
    head = household["members"][0]
    path = f"{url(household, head['id'])}/reveal"
    revealed = await client.post(path, json={"reason": "核对低保材料"}, headers=headers)
    assert revealed.status_code == 200, revealed.text
    assert revealed.json() == {"id_number": person}
    assert "household.member_reveal" in await audit_actions(household["id"])

    auditor = await login_staff(client, "auditor", "auditor", "510115000000")
    admin = await login_staff(client, "admin", "admin", "510115000000")
    other = await login_staff(client, "gongping", "street_officer", GONGPING)
    assert (await client.post(path, json={"reason": "核对"}, headers=auditor)).status_code == 403
    assert (await client.post(path, json={"reason": "核对"}, headers=admin)).status_code == 403
    assert (await client.post(path, json={"reason": "核对"}, headers=other)).status_code == 404
    assert (await client.post(path, json={}, headers=headers)).status_code == 422
    unknown = await client.post(
        f"{url(household, 999999)}/reveal", json={"reason": "核对"}, headers=headers
    )
    assert unknown.status_code == 404
    assert (await audit_actions(household["id"])).count("household.member_reveal") == 1
