"""The mini program's own services (miniprogram/services/) against the real server: uvicorn on
loopback with fake WeChat, and node running miniprogram/tests/contract/run.js with a ``wx``
shim that forwards ``wx.request`` and ``wx.uploadFile`` over HTTP. Login, submit, a report
without an ID number, list, detail, withdraw, subscriptions, the verified phone, staff binding
their WeChat, the worklist and a visit through the offline queue; then the database."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.models.account import Resident, Staff
from app.models.application import Application, Attachment
from app.models.audit import AuditEvent
from app.models.notification import WeChatSubscription
from app.models.visit import Visit, VisitPhoto
from tests.e2e.conftest import ROOT, Server, create_staff
from tests.helpers import PASSWORD, id_number
from tests.households.helpers import household_body

COMMUNITY = "510115001001"  # 光华社区
STREET = "510115001000"  # 柳城街道
MINIPROGRAM = ROOT / "miniprogram"
SCRIPT = MINIPROGRAM / "tests" / "contract" / "run.js"
WECHAT_CODE = "contract-user"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the mini program contract test needs node (20 or later)")
        pytest.skip("the mini program contract test needs node (20 or later)")
    return found


async def prepare(server: Server) -> dict[str, Any]:
    """Two staff accounts; a household in the community assigned to the worker for visits."""
    await create_staff("mpworker", "community_worker", COMMUNITY)
    await create_staff("mpstreet", "street_officer", STREET)
    async with httpx.AsyncClient(base_url=server.api_url, timeout=30) as http:
        login = await http.post(
            "/auth/staff/login", json={"username": "mpstreet", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        street = {"Authorization": f"Bearer {login.json()['access_token']}"}
        worker_login = await http.post(
            "/auth/staff/login", json={"username": "mpworker", "password": PASSWORD}
        )
        worker_id = worker_login.json()["user"]["id"]
        # High risk: the shortest cycle (30 days), due within the worklist's default horizon.
        body = household_body(risk_level="high")
        household = await http.post("/staff/households", json=body, headers=street)
        assert household.status_code == 201, household.text
        household_id = household.json()["id"]
        assigned = await http.put(
            "/staff/visits/assignments",
            json={"household_ids": [household_id], "assignee_id": worker_id},
            headers=street,
        )
        assert assigned.status_code == 200, assigned.text
    return {
        "worker_id": worker_id,
        "household_id": household_id,
        "id_number": id_number(),
    }


async def run_script(server: Server, given: dict[str, Any]) -> dict[str, Any]:
    binary = node()
    payload = {
        "community": COMMUNITY,
        "worker_username": "mpworker",
        "password": PASSWORD,
        "household_id": given["household_id"],
        "id_number": given["id_number"],
        "wechat_code": WECHAT_CODE,
    }
    process = await asyncio.create_subprocess_exec(
        binary,
        str(SCRIPT),
        cwd=MINIPROGRAM,
        env={**os.environ, "API_BASE": server.api_url, "INPUT": json.dumps(payload)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, f"contract script failed:\n{err.decode()}\n{server.log()}"
    return dict(json.loads(out))


async def test_the_mini_program_services_against_the_real_server(server: Server) -> None:
    node()
    given = await prepare(server)
    out = await run_script(server, given)

    # Resident: submitted once (the retried key replays), the photo they sent listed back.
    assert out["submit"]["status"] == "submitted"
    assert out["submit"]["replayed_id"] == out["submit"]["id"]
    assert out["submit"]["notice_version"]
    assert out["own_photos"] == [out["upload"]]
    assert out["report"]["relation"] == "neighbor"
    assert out["bad"]["status"] == 422
    assert out["bad"]["fields"] == {"phone": "联系电话格式不正确"}
    assert sorted(out["mine"]) == sorted([out["submit"]["id"], out["report"]["id"]])
    assert out["detail"] == {"id": out["report"]["id"], "timeline": ["submitted"]}
    assert out["withdraw"] == {"status": "withdrawn"}
    assert out["subscriptions"], "fake mode offers a template per event"
    phone = out["phone"]
    assert phone["phone"].startswith("139") and len(phone["phone"]) == 11
    assert phone["masked"] == phone["phone"][:3] + "****" + phone["phone"][-4:]

    # Staff: bound once, both sessions survive a cold start, WeChat alone signs in again.
    assert out["bind"] == {"id": given["worker_id"], "role": "community_worker"}
    assert out["after_cold_start"] == {"staff": True, "resident": True}
    assert out["wechat_login"] == out["bind"]
    assert out["accept"] == {"status": "accepted", "assignee_id": given["worker_id"]}
    assert out["procedure"] is None  # no statutory procedure started: the case page shows none
    assert out["worklist"]["errors"] == []
    assert out["worklist"]["cases"] == [out["submit"]["id"]]
    assert out["worklist"]["visits"] == [given["household_id"]]
    assert out["flush"] == {"sent": 1, "rejected": 0, "waiting": 0}
    assert out["visit"]["queue_left"] == 0
    assert out["visits"] == [out["visit"]["replayed_id"]]
    assert out["reveal"]["id_number"] == given["id_number"]

    # The database agrees.
    from app.db.session import session_scope

    async with session_scope() as session:
        resident = await session.scalar(
            select(Resident).where(Resident.openid == f"fake-{WECHAT_CODE}")
        )
        assert resident is not None
        statuses = dict(
            (
                await session.execute(
                    select(Application.id, Application.status).where(
                        Application.resident_id == resident.id
                    )
                )
            ).all()
        )
        assert statuses == {out["submit"]["id"]: "accepted", out["report"]["id"]: "withdrawn"}
        report = await session.get(Application, out["report"]["id"])
        assert report is not None
        assert report.reporter_phone_masked == "139****2222"
        assert report.reporter_phone_enc and "13900002222" not in report.reporter_phone_enc
        attachments = await session.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.application_id == out["submit"]["id"])
        )
        assert attachments == 1
        subscribed = await session.scalars(
            select(WeChatSubscription.template_id).where(
                WeChatSubscription.resident_id == resident.id
            )
        )
        assert sorted(subscribed) == sorted(out["subscriptions"])
        worker = await session.get(Staff, given["worker_id"])
        assert worker is not None and worker.wechat_openid == f"fake-{WECHAT_CODE}"
        visits = list(
            await session.scalars(select(Visit).where(Visit.household_id == given["household_id"]))
        )
        assert [v.id for v in visits] == [out["visit"]["replayed_id"]]
        assert visits[0].staff_id == given["worker_id"]
        photos = await session.scalar(
            select(func.count()).select_from(VisitPhoto).where(VisitPhoto.visit_id == visits[0].id)
        )
        assert photos == 1
        actions = set(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor_id == given["worker_id"])
            )
        )
        assert {"staff.wechat_bound", "staff.login"} <= actions
        assert any("reveal" in a for a in actions), actions
