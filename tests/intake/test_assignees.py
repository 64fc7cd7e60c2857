"""The assign screen's list: whom a case may be assigned to, by the rule the assignment uses."""

from __future__ import annotations

import httpx

from app.db.session import session_scope
from app.models.account import Staff
from tests.helpers import login_resident
from tests.intake.support import (
    DISTRICT,
    GONGPING,
    GUANGHUA,
    JPEG,
    LIUCHENG,
    NANJIANG,
    PNG,
    staff,
    submit,
)


async def test_assignees_are_the_staff_the_assignment_accepts(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    _, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    _, station_id = await staff(client, "station1", "social_worker", LIUCHENG)
    _, district_id = await staff(client, "district1", "district_officer", DISTRICT)
    await staff(client, "nanjiang1", "community_worker", NANJIANG)
    await staff(client, "gongping1", "street_officer", GONGPING)
    await staff(client, "auditor1", "auditor", DISTRICT)
    _, gone_id = await staff(client, "guanghua2", "community_worker", GUANGHUA)
    async with session_scope() as session:
        gone = await session.get(Staff, gone_id)
        assert gone is not None
        gone.active = False
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/assignees"

    response = await client.get(url, headers=street)
    assert response.status_code == 200, response.text
    listed = response.json()
    # The community first, then the street, then the district; never a neighbour, another
    # street, an auditor or a disabled account.
    assert [a["id"] for a in listed] == [worker_id, street_id, station_id, district_id]
    assert {a["region_code"] for a in listed} == {GUANGHUA, LIUCHENG, DISTRICT}
    assert all(a["display_name"] for a in listed)

    # Each one listed is accepted by the assignment itself.
    for assignee in listed:
        assigned = await client.post(
            f"/staff/applications/{application['id']}/assign",
            json={"assignee_id": assignee["id"]},
            headers=street,
        )
        assert assigned.status_code == 200, assigned.text


async def test_assignees_need_the_assign_role_and_the_case_in_reach(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    worker, _ = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    other_street, _ = await staff(client, "gongping1", "street_officer", GONGPING)
    application = await submit(client, alice)
    url = f"/staff/applications/{application['id']}/assignees"
    assert (await client.get(url, headers=worker)).status_code == 403
    assert (await client.get(url, headers=other_street)).status_code == 404
    assert (await client.get(url, headers=alice)).status_code == 403
    missing = await client.get("/staff/applications/999999/assignees", headers=other_street)
    assert missing.status_code == 404


async def test_a_resident_lists_the_photos_they_sent(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    bob = await login_resident(client, "bob")
    worker, _ = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    application = await submit(client, alice)
    url = f"/applications/{application['id']}/attachments"
    assert (await client.get(url, headers=alice)).json() == []
    sent = []
    for name, content, kind in (("a.jpg", JPEG, "image/jpeg"), ("b.png", PNG, "image/png")):
        response = await client.post(url, files={"file": (name, content, kind)}, headers=alice)
        assert response.status_code == 201, response.text
        sent.append(response.json())
    listed = await client.get(url, headers=alice)
    assert listed.status_code == 200
    assert listed.json() == sent
    first = await client.get(f"{url}/{sent[0]['id']}", headers=alice)
    assert first.status_code == 200
    assert first.content == JPEG
    # Nobody else's: another resident gets 404, staff use the case detail.
    assert (await client.get(url, headers=bob)).status_code == 404
    assert (await client.get(url, headers=worker)).status_code == 403
