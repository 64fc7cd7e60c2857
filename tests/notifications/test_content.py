"""WeChat's content check (msgSecCheck v2) of what the public writes: a job after the
submission; ``risky`` holds the text for staff review and rejects nothing; WeChat down blocks
nothing and the check runs when it is back."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import respx

from app.db.session import session_scope
from app.models import ContentCheck
from app.notifications import service
from tests.helpers import login_staff
from tests.jobs.support import Clock
from tests.notifications.support import (
    CHECK,
    TOKEN,
    jobs_of,
    live_wechat,
    resident_with_application,
    runner,
)

__all__ = ["live_wechat"]
GUANGHUA = "510115001001"
GONGPING = "510115002000"


async def _checks() -> list[ContentCheck]:
    from sqlalchemy import select

    async with session_scope() as session:
        return list(await session.scalars(select(ContentCheck).order_by(ContentCheck.id)))


async def _holds(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    response = await client.get("/staff/content-holds", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_risky_text_is_held_for_review_and_the_case_goes_on(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    live_wechat.post(TOKEN).respond(json={"access_token": "tok", "expires_in": 7200})
    check = live_wechat.post(CHECK).respond(
        json={
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": "risky", "label": 20006},
            "trace_id": "trace-1",
        }
    )
    # Submitting queues the check; the submission itself answered 201 without waiting for it.
    resident, application_id = await resident_with_application(client)
    assert [c.status for c in await _checks()] == ["pending"]
    await runner().run_due()

    sent = json.loads(check.calls.last.request.content)
    assert sent["version"] == 2 and sent["openid"] == "o-alice"
    assert sent["content"] == "生活困难"
    assert check.calls.last.request.url.params["access_token"] == "tok"
    [held] = await _checks()
    assert (held.status, held.label, held.trace_id) == ("risky", 20006, "trace-1")

    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    outsider = await login_staff(client, "gongping1", "street_officer", GONGPING)
    [item] = await _holds(client, worker)
    assert (item["record_type"], item["record_id"], item["status"]) == (
        "application",
        application_id,
        "risky",
    )
    assert await _holds(client, outsider) == []
    detail = await client.get(f"/staff/applications/{application_id}", headers=worker)
    assert detail.json()["content_check"] == "risky"
    # Never rejected: the application stands as submitted.
    mine = await client.get(f"/applications/{application_id}", headers=resident)
    assert mine.status_code == 200 and mine.json()["status"] == "submitted"

    # A reviewer in the jurisdiction reads it and clears it, with a note kept in the audit log.
    hold_id = item["id"]
    clear = f"/staff/content-holds/{hold_id}/clear"
    refused = await client.post(clear, json={"note": "已核实无问题"}, headers=outsider)
    assert (refused.status_code, refused.json()["code"]) == (404, "content_hold_not_found")
    blank = await client.post(clear, json={"note": ""}, headers=worker)
    assert blank.status_code == 422
    cleared = await client.post(clear, json={"note": "已核实无问题"}, headers=worker)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "cleared" and cleared.json()["reviewed_at"] is not None
    again = await client.post(clear, json={"note": "已核实无问题"}, headers=worker)
    assert (again.status_code, again.json()["code"]) == (409, "content_not_held")
    assert await _holds(client, worker) == []
    detail = await client.get(f"/staff/applications/{application_id}", headers=worker)
    assert detail.json()["content_check"] == "cleared"
    officer = await login_staff(client, "auditor1", "auditor", "510115000000")
    log = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": str(application_id)},
        headers=officer,
    )
    assert log.status_code == 200, log.text
    [entry] = [e for e in log.json()["items"] if e["action"] == "content.cleared"]
    assert entry["detail"]["note"] == "已核实无问题"


async def test_wechat_down_blocks_nothing_and_the_check_runs_when_back(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    live_wechat.post(TOKEN).respond(json={"access_token": "tok", "expires_in": 7200})
    check = live_wechat.post(CHECK)
    check.side_effect = httpx.ConnectTimeout("down")
    resident, application_id = await resident_with_application(client)  # 201 while down
    clock = Clock()
    await runner(clock).run_due()
    mine = await client.get(f"/applications/{application_id}", headers=resident)
    assert mine.status_code == 200
    [job] = await jobs_of(service.CONTENT_CHECK_JOB)
    assert job.status == "queued" and "WeChatDown" in (job.last_error or "")
    assert [c.status for c in await _checks()] == ["pending"]
    worker = await login_staff(client, "g1", "community_worker", GUANGHUA)
    detail = await client.get(f"/staff/applications/{application_id}", headers=worker)
    assert detail.json()["content_check"] == "pending"

    check.side_effect = None
    check.respond(json={"errcode": 0, "result": {"suggest": "pass", "label": 100}})
    clock.advance(timedelta(hours=1))
    await runner(clock).run_due()
    assert [c.status for c in await _checks()] == ["pass"]
    assert await _holds(client, worker) == []
