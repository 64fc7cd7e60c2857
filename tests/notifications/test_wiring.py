"""Each flow writes its message in its own transaction, through HTTP: an application's status
changes reach the resident (WeChat, fake mode), a case, a warning or households assigned reach
the worker's inbox, a red warning from a scan reaches the officers over it, and a submitted
description is checked after the submission."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from app.kit.timeutil import local_today
from tests.helpers import id_number, login_resident
from tests.households.builders import Person
from tests.households.builders import insert_household as create_household
from tests.intake.support import act, staff, submit
from tests.monitoring.signals import add_signal
from tests.notifications.support import notifications, runner

WENJIANG = "510115000000"
LIUCHENG = "510115001000"
GUANGHUA = "510115001001"
GONGPING = "510115002000"


async def _inbox(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/staff/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_status_changes_reach_the_resident_and_assignment_the_worker(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "mary")
    templates = (await client.get("/me/subscription-templates", headers=resident)).json()
    ids = {t["event"]: t["template_id"] for t in templates}
    accepted = [ids["application_accepted"], ids["application_investigating"]]
    response = await client.post("/me/subscriptions", json={"accepted": accepted}, headers=resident)
    assert response.status_code == 204
    application = await submit(client, resident)
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)

    # A refused step writes nothing.
    assert (await act(client, street, application["id"], "approve")).status_code in (403, 409, 422)
    assert await notifications() == []

    assert (await act(client, street, application["id"], "accept")).status_code == 200
    assign = await client.post(
        f"/staff/applications/{application['id']}/assign",
        json={"assignee_id": worker_id},
        headers=street,
    )
    assert assign.status_code == 200, assign.text
    started = await act(
        client, worker, application["id"], "start_investigation", public_note="将于明日上门"
    )
    assert started.status_code == 200, started.text
    await runner().run_due()

    sent = (await client.get("/dev/wechat/sent", params={"openid": "fake-mary"})).json()["items"]
    assert [s["template_id"] for s in sent] == [
        "dev-application_investigating",
        "dev-application_accepted",
    ]
    assert sent[0]["data"]["thing3"] == {"value": "将于明日上门"}
    [item] = await _inbox(client, worker)
    assert (item["kind"], item["record_id"]) == ("case_assigned", application["id"])
    assert await _inbox(client, street) == []

    # The description was checked after the submission (fake mode: passed).
    detail = await client.get(f"/staff/applications/{application['id']}", headers=street)
    assert detail.json()["content_check"] == "pass"


async def test_a_red_warning_and_its_dispatch_reach_the_right_people(
    client: httpx.AsyncClient,
) -> None:
    number = id_number(date(1980, 5, 1))
    await create_household(
        GUANGHUA,
        [
            Person("李四", date(1980, 5, 1), "2000.00", id_number=number),
            Person("李小", date(2015, 5, 1), "0.00", relation="child"),
        ],
        category="dibao",
    )
    await add_signal(
        "medical", number, local_today() - timedelta(days=3), flag="inpatient", amount="3000.00"
    )
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    district, _ = await staff(client, "district1", "district_officer", WENJIANG)
    other_street, _ = await staff(client, "gongping1", "street_officer", GONGPING)
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)

    scan = await client.post("/staff/scans", headers=district)
    assert scan.status_code == 202, scan.text
    await runner().run_due()
    listed = await client.get("/staff/warnings", params={"level": "red"}, headers=street)
    [warning] = listed.json()["items"]
    assert warning["rule"] == "need_inpatient_only_earner"
    for headers in (street, district):
        [item] = await _inbox(client, headers)
        assert (item["kind"], item["record_id"]) == ("red_warning", warning["id"])
    assert await _inbox(client, other_street) == []
    assert await _inbox(client, worker) == []

    dispatched = await client.post(
        f"/staff/warnings/{warning['id']}/dispatch",
        json={"assignee_id": worker_id},
        headers=street,
    )
    assert dispatched.status_code == 200, dispatched.text
    [item] = await _inbox(client, worker)
    assert (item["kind"], item["record_type"], item["record_id"]) == (
        "warning_assigned",
        "warning",
        warning["id"],
    )


async def test_households_assigned_for_visits_reach_the_worker(client: httpx.AsyncClient) -> None:
    first = await create_household(GUANGHUA, [Person("赵一", date(1950, 1, 1))], category="tekun")
    second = await create_household(GUANGHUA, [Person("赵二", date(1951, 1, 1))], category="tekun")
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    worker, worker_id = await staff(client, "guanghua1", "community_worker", GUANGHUA)
    response = await client.put(
        "/staff/visits/assignments",
        json={"household_ids": [first, second], "assignee_id": worker_id},
        headers=street,
    )
    assert response.status_code == 200, response.text
    items = await _inbox(client, worker)
    assert sorted((i["kind"], i["record_id"]) for i in items) == [
        ("visit_assigned", first),
        ("visit_assigned", second),
    ]
    # The worker leaves: the bulk reassignment tells the worker who takes them over.
    other, other_id = await staff(client, "guanghua2", "community_worker", GUANGHUA)
    response = await client.post(
        "/staff/visits/reassign",
        json={"from_assignee_id": worker_id, "to_assignee_id": other_id},
        headers=street,
    )
    assert response.status_code == 200, response.text
    items = await _inbox(client, other)
    assert sorted((i["kind"], i["record_id"]) for i in items) == [
        ("visit_assigned", first),
        ("visit_assigned", second),
    ]
