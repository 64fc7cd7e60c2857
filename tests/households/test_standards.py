from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import func, select

from app.db.session import session_scope
from app.models.audit import AuditEvent
from app.models.household import Standard
from tests.helpers import login_staff
from tests.households.builders import add_standard, ensure_dayi

WENJIANG = "510115000000"
LIUCHENG = "510115001000"


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "region_code": WENJIANG,
        "kind": "dibao",
        "value": "870.00",
        "effective_from": "2022-07-01",
    }
    data.update(overrides)
    return data


async def test_district_officer_sets_a_standard_audited(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    created = await client.post("/staff/standards", json=body(), headers=district)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["value"] == "870.00"
    assert out["region_name"] == "温江区"
    assert out["effective_from"] == "2022-07-01"
    assert out["in_force"] is True
    async with session_scope() as session:
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "standard.create"))
        )
    assert [e.record_id for e in events] == [str(out["id"])]
    assert events[0].detail["value"] == "870.00"


async def test_multiplier_keeps_its_places(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    created = await client.post(
        "/staff/standards", json=body(kind="edge_multiplier", value="1.5"), headers=district
    )
    assert created.status_code == 201, created.text
    assert created.json()["value"] == "1.50"
    precise = await client.post(
        "/staff/standards",
        json=body(kind="edge_multiplier", value="1.125", effective_from="2023-01-01"),
        headers=district,
    )
    assert precise.json()["value"] == "1.125"


async def test_duplicate_is_409(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    assert (await client.post("/staff/standards", json=body(), headers=district)).status_code == 201
    again = await client.post("/staff/standards", json=body(value="900.00"), headers=district)
    assert again.status_code == 409
    assert again.json()["code"] == "standard_exists"
    listed = (await client.get("/staff/standards", headers=district)).json()["items"]
    assert [(s["kind"], s["value"]) for s in listed] == [("dibao", body()["value"])]
    other_kind = await client.post(
        "/staff/standards", json=body(kind="tekun", value="1131.00"), headers=district
    )
    assert other_kind.status_code == 201


async def test_only_district_officers_within_their_district(client: httpx.AsyncClient) -> None:
    street = await login_staff(client, "street1", "street_officer", LIUCHENG)
    refused = await client.post("/staff/standards", json=body(region_code=LIUCHENG), headers=street)
    assert refused.status_code == 403
    auditor = await login_staff(client, "auditor1", "auditor", WENJIANG)
    assert (await client.post("/staff/standards", json=body(), headers=auditor)).status_code == 403

    await ensure_dayi()
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    outside = await client.post(
        "/staff/standards", json=body(region_code="510129000000"), headers=district
    )
    assert outside.status_code == 403
    assert outside.json()["code"] == "outside_jurisdiction"
    above = await client.post(
        "/staff/standards", json=body(region_code="510100000000"), headers=district
    )
    assert above.status_code == 403
    # A street inside the district may have its own standard.
    inside = await client.post(
        "/staff/standards", json=body(region_code=LIUCHENG, value="880.00"), headers=district
    )
    assert inside.status_code == 201


async def test_bad_values_are_422(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    bad = [
        body(value=870.5),  # a float: never
        body(value="0"),
        body(value="-870.00"),
        body(value="870.001"),
        body(value="abc"),
        body(value="NaN"),
        body(kind="edge_multiplier", value="0.9"),
        body(kind="edge_multiplier", value="3.01"),
        body(kind="edge_multiplier", value="1.00001"),
        body(kind="subsidy"),
        body(effective_from="2022-13-01"),
        body(region_code="5101"),
        {**body(), "created_by_id": 1},
    ]
    for payload in bad:
        response = await client.post("/staff/standards", json=payload, headers=district)
        assert response.status_code == 422, (payload, response.text)
        assert response.json()["code"] == "validation_error"
    unknown = await client.post(
        "/staff/standards", json=body(region_code="510115099000"), headers=district
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "invalid_region"
    edges = [body(kind="edge_multiplier", value="1"), body(kind="edge_multiplier", value="3")]
    for index, payload in enumerate(edges):
        payload["effective_from"] = f"202{index}-01-01"
        response = await client.post("/staff/standards", json=payload, headers=district)
        assert response.status_code == 201, response.text
    integer = await client.post(
        "/staff/standards", json=body(value=900, effective_from="2024-01-01"), headers=district
    )
    assert integer.status_code == 201
    assert integer.json()["value"] == "900.00"


async def test_idempotency_key_replays(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    headers = {**district, "Idempotency-Key": "std-1"}
    first = await client.post("/staff/standards", json=body(), headers=headers)
    second = await client.post("/staff/standards", json=body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    mismatch = await client.post("/staff/standards", json=body(value="1.00"), headers=headers)
    assert mismatch.status_code == 422
    assert mismatch.json()["code"] == "idempotency_key_mismatch"
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(Standard)) == 1


async def test_list_ancestors_and_subtree_newest_first(client: httpx.AsyncClient) -> None:
    await ensure_dayi()
    city = await add_standard("510100000000", "dibao", "850.00", date(2021, 7, 1))
    old = await add_standard(WENJIANG, "dibao", "800.00", date(2021, 7, 1))
    current = await add_standard(WENJIANG, "dibao", "870.00", date(2022, 7, 1))
    street = await add_standard(LIUCHENG, "dibao", "880.00", date(2023, 1, 1))
    dayi = await add_standard("510129000000", "dibao", "820.00", date(2022, 7, 1))
    other_street = await add_standard("510115002000", "dibao", "875.00", date(2023, 2, 1))

    worker = await login_staff(client, "worker1", "community_worker", "510115001001")
    listed = await client.get("/staff/standards", params={"region_code": WENJIANG}, headers=worker)
    assert listed.status_code == 200, listed.text
    ids = [item["id"] for item in listed.json()["items"]]
    assert ids == [other_street, street, current, old, city]
    assert dayi not in ids

    mine = await client.get("/staff/standards", headers=worker)
    items = mine.json()["items"]
    # The caller's community: its street's, the district's and the city's standards.
    assert [i["id"] for i in items] == [street, current, old, city]
    assert [i["in_force"] for i in items] == [True, False, False, False]

    page = await client.get(
        "/staff/standards", params={"region_code": WENJIANG, "limit": 2}, headers=worker
    )
    assert [i["id"] for i in page.json()["items"]] == [other_street, street]
    rest = await client.get(
        "/staff/standards",
        params={"region_code": WENJIANG, "limit": 2, "cursor": page.json()["next_cursor"]},
        headers=worker,
    )
    assert [i["id"] for i in rest.json()["items"]] == [current, old]

    county = await client.get(
        "/staff/standards", params={"region_code": "510129000000"}, headers=worker
    )
    assert [i["value"] for i in county.json()["items"]] == ["820.00", "850.00"]
    missing = await client.get(
        "/staff/standards", params={"region_code": "510115099000"}, headers=worker
    )
    assert missing.status_code == 404


async def test_admin_cannot_read_standards(client: httpx.AsyncClient) -> None:
    admin = await login_staff(client, "admin1", "admin", WENJIANG)
    assert (await client.get("/staff/standards", headers=admin)).status_code == 403
