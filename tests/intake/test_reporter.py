"""A report about someone else carries the reporter's phone, so a worker can call back: stored
encrypted and keyed-hashed, shown masked, revealed in clear only through the audited reveal."""

from __future__ import annotations

import httpx

from tests.helpers import application_body, login_resident
from tests.intake.support import GUANGHUA, staff, submit
from tests.intake.test_personal_data import _postgres_text, _sqlite_bytes

REPORTER_PHONE = "13644447777"
REPORTER = {"name": "热心邻居王阿姨", "phone": REPORTER_PHONE}


async def test_a_report_keeps_the_reporters_phone_masked_and_reveals_it_audited(
    client: httpx.AsyncClient,
) -> None:
    neighbour = await login_resident(client, "reporter-1")
    case = await submit(
        client,
        neighbour,
        relation="neighbor",
        subject={"id_number": None, "phone": None},
        reporter=REPORTER,
    )
    assert case["reporter"] == {"name": "热心邻居王阿姨", "phone_masked": "136****7777"}
    assert REPORTER_PHONE not in str(case)

    worker, _ = await staff(client, "reporter-worker", "community_worker", GUANGHUA)
    queue = (await client.get("/staff/applications", headers=worker)).json()["items"]
    assert queue[0]["reporter"]["phone_masked"] == "136****7777"
    detail = (await client.get(f"/staff/applications/{case['id']}", headers=worker)).json()
    assert detail["reporter"] == case["reporter"]
    assert REPORTER_PHONE not in str(detail)

    revealed = await client.post(
        f"/staff/applications/{case['id']}/reveal", json={"reason": "回电核实"}, headers=worker
    )
    assert revealed.status_code == 200
    assert revealed.json()["reporter_phone"] == REPORTER_PHONE
    district, _ = await staff(client, "reporter-district", "district_officer", "510115000000")
    audit = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": case["id"]},
        headers=district,
    )
    (reveal,) = [e for e in audit.json()["items"] if e["action"] == "application.reveal"]
    assert reveal["detail"]["fields"] == ["id_number", "phone", "reporter_phone"]
    assert REPORTER_PHONE not in audit.text


async def test_reporter_is_optional_checked_and_not_for_oneself(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "reporter-2")
    without = await submit(client, alice, relation="family", subject={"id_number": None})
    assert without["reporter"] is None
    for relation, reporter in (
        ("self", REPORTER),
        ("neighbor", {"name": "王阿姨"}),
        ("neighbor", {"phone": "12345"}),
        ("neighbor", {"phone": REPORTER_PHONE, "wechat": "x"}),
    ):
        body = application_body(relation=relation, reporter=reporter)
        if relation != "self":
            body["subject"]["id_number"] = None
        refused = await client.post("/applications", json=body, headers=alice)
        assert refused.status_code == 422, (relation, reporter)


async def test_the_reporters_phone_is_not_stored_in_clear(
    client: httpx.AsyncClient, backend: str
) -> None:
    neighbour = await login_resident(client, "reporter-3")
    await submit(client, neighbour, relation="neighbor", reporter=REPORTER)
    if backend == "sqlite":
        raw = await _sqlite_bytes()
        assert REPORTER_PHONE.encode() not in raw
        assert "热心邻居王阿姨".encode() not in raw  # the reporter's name is sealed too
        assert "光华大道1号".encode() in raw  # the check can see clear text
    else:
        stored = await _postgres_text()
        assert REPORTER_PHONE not in stored
        assert "热心邻居王阿姨" not in stored
        assert "136****7777" in stored
