"""A household's contact phone and declared size: carried over from the approved application
(not a one-person household without a phone), sealed at rest, shown masked, changed through the
version history, revealed only with a reason and audited."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.db.session import session_scope
from app.models.household import Household
from tests.helpers import application_body, id_number, login_resident, login_staff
from tests.households.helpers import create_household, street
from tests.households.test_categories import approve


async def test_approval_keeps_the_phone_and_the_declared_size(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "applicant")
    person = id_number()
    body = application_body(
        subject={"id_number": person, "phone": "13812345678", "household_size": 3}
    )
    submitted = await client.post("/applications", json=body, headers=resident)
    assert submitted.status_code == 201, submitted.text
    case = await approve(client, submitted.json()["id"], {"category": "dibao"})
    note = next(e["note"] for e in case["events"] if e["action"] == "approve")
    assert "申报家庭人口 3 人，其余 2 人待入户核实后补录" in note

    worker = await street(client, "reader")
    found = (await client.get("/staff/households", params={"q": person}, headers=worker)).json()
    item = found["items"][0]
    assert (item["phone_masked"], item["declared_size"], item["members_count"]) == (
        "138****5678",
        3,
        1,
    )
    async with session_scope() as session:
        row = await session.scalar(select(Household).where(Household.id == item["id"]))
        assert row is not None and row.phone_enc and "13812345678" not in row.phone_enc

    refused = await client.post(
        f"/staff/households/{item['id']}/reveal", json={"reason": ""}, headers=worker
    )
    assert refused.status_code == 422
    revealed = await client.post(
        f"/staff/households/{item['id']}/reveal", json={"reason": "电话回访"}, headers=worker
    )
    assert revealed.status_code == 200 and revealed.json() == {"phone": "13812345678"}
    auditor = await login_staff(client, "auditor", "auditor", "510115000000")
    trail = await client.get(
        "/staff/audit",
        params={"record_type": "household", "record_id": str(item["id"])},
        headers=auditor,
    )
    actions = [e["action"] for e in trail.json()["items"]]
    assert "household.contact_reveal" in actions
    hidden = await client.post(
        f"/staff/households/{item['id']}/reveal", json={"reason": "查看"}, headers=auditor
    )
    assert hidden.status_code == 403


async def test_phone_change_is_versioned_masked_and_full_width_safe(
    client: httpx.AsyncClient,
) -> None:
    worker = await street(client)
    household = await create_household(client, worker, phone="13900001111", declared_size=2)
    assert household["phone_masked"] == "139****1111" and household["declared_size"] == 2
    changed = await client.patch(
        f"/staff/households/{household['id']}",
        json={"phone": "１３９００００２２２２", "declared_size": 4},
        headers={**worker, "If-Match": f'"{household["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone_masked"] == "139****2222"
    assert changed.json()["declared_size"] == 4
    history = await client.get(f"/staff/households/{household['id']}/changes", headers=worker)
    fields = [(c["field"], c["old_value"], c["new_value"]) for c in history.json()["items"]]
    assert ("phone", "139****1111", "139****2222") in fields
    assert ("declared_size", 2, 4) in fields
    assert not any("13900001111" in str(c) for c in history.json()["items"])
    bad = await client.patch(
        f"/staff/households/{household['id']}",
        json={"phone": "12345"},
        headers={**worker, "If-Match": f'"{changed.json()["version"]}"'},
    )
    assert bad.status_code == 422
