"""Admins see parked jobs with their reasons and queue them again; nobody else may."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.db.session import session_scope
from app.jobs import enqueue
from app.jobs.runner import Runner
from app.models import AuditEvent
from tests.helpers import login_staff
from tests.jobs.support import Clock, Recorder, job

DISTRICT = "510115000000"


async def park_a_job(recorder: Recorder, clock: Clock) -> int:
    async with session_scope() as session:
        job_id = await enqueue(session, "flaky", {"n": 1}, run_at=clock())
    assert job_id is not None
    worker = Runner(recorder.handlers(), clock=clock)
    for _ in range(3):
        await worker.run_due()
        clock.advance((await job(job_id)).run_at - clock())
    assert (await job(job_id)).status == "parked"
    return job_id


async def test_a_parked_job_is_listed_with_its_reason_and_requeued_by_hand(
    client: httpx.AsyncClient,
) -> None:
    recorder, clock = Recorder(), Clock()
    job_id = await park_a_job(recorder, clock)
    async with session_scope() as session:
        await enqueue(session, "record", {"n": 2})
    admin = await login_staff(client, "jobs-admin", "admin", DISTRICT)

    listed = await client.get("/admin/jobs", params={"status": "parked"}, headers=admin)
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["id"] == job_id
    assert (item["kind"], item["status"], item["attempts"]) == ("flaky", "parked", 3)
    assert item["last_error"] == "RuntimeError: 上游服务暂不可用"
    assert "payload" not in item
    assert item["run_at"].endswith("+08:00")

    retried = await client.post(f"/admin/jobs/{job_id}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)

    recorder.failing = False
    await Runner(recorder.handlers(), clock=Clock()).run_due()
    done = await job(job_id)
    assert (done.status, done.attempts) == ("done", 1)
    assert recorder.runs.count({"n": 1}) == 4

    async with session_scope() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "job.retry"))
    assert event is not None
    assert (event.record_type, event.record_id, event.actor_role) == ("job", str(job_id), "admin")
    assert event.detail["kind"] == "flaky"


async def test_only_a_parked_job_can_be_requeued(client: httpx.AsyncClient) -> None:
    async with session_scope() as session:
        job_id = await enqueue(session, "record", {"n": 1})
    admin = await login_staff(client, "jobs-admin", "admin", DISTRICT)
    queued = await client.post(f"/admin/jobs/{job_id}/retry", headers=admin)
    assert (queued.status_code, queued.json()["code"]) == (409, "job_not_parked")
    missing = await client.post(f"/admin/jobs/{job_id + 1000}/retry", headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "job_not_found")


async def test_jobs_are_for_admins_only(client: httpx.AsyncClient) -> None:
    officer = await login_staff(client, "jobs-officer", "district_officer", DISTRICT)
    denied = await client.get("/admin/jobs", headers=officer)
    assert (denied.status_code, denied.json()["code"]) == (403, "scope_denied")
    assert (await client.get("/admin/jobs")).status_code == 401
    denied = await client.post("/admin/jobs/1/retry", headers=officer)
    assert denied.status_code == 403


async def test_jobs_are_paged_and_filtered_by_kind(client: httpx.AsyncClient) -> None:
    async with session_scope() as session:
        for n in range(5):
            await enqueue(session, "record", {"n": n})
        await enqueue(session, "other-kind", {})
    admin = await login_staff(client, "jobs-admin", "admin", DISTRICT)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"kind": "record", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/admin/jobs", params=params, headers=admin)).json()
        seen += [item["id"] for item in page["items"]]
        assert {item["kind"] for item in page["items"]} <= {"record"}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    bad = await client.get("/admin/jobs", params={"status": "lost"}, headers=admin)
    assert bad.status_code == 422
    bad = await client.get("/admin/jobs", params={"cursor": "!!"}, headers=admin)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")
