"""The approval flow outside HTTP: a worker or command that approves through
``app.intake.flows`` enrols the household, with no router (and no import-time hook) loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.db.session import session_scope
from app.intake import flows
from app.intake.errors import InvalidTransition
from app.kit.actor import Actor
from app.models.household import Household
from tests.helpers import application_body, id_number, login_resident, login_staff, staff_id

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys

from app.db.session import dispose_engine, session_scope
from app.intake import flows
from app.intake.schemas import TransitionIn
from app.kit.actor import Actor


async def main(application_id: int, officer_id: int) -> None:
    actor = Actor("staff", officer_id, "district_officer", "510115000000", "script")
    body = TransitionIn.model_validate(
        {"action": "approve", "decision": {"category": "dibao", "monthly_amount": "300.00"}}
    )
    async with session_scope() as session:
        application = await flows.transition(session, actor, application_id, body)
        status = application.status
    await dispose_engine()
    routers = sorted(m for m in sys.modules if m == "app.main" or m.endswith(".router"))
    print(json.dumps({"status": status, "routers": routers}))


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


async def test_a_script_approving_through_the_flow_enrols_the_household(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "flow-applicant")
    person = id_number()
    submitted = await client.post(
        "/applications",
        json=application_body(subject={"name": "孙九", "id_number": person}),
        headers=resident,
    )
    application_id = submitted.json()["id"]
    worker = await login_staff(client, "flow-worker", "street_officer", "510115001000")
    path = f"/staff/applications/{application_id}/transitions"
    for action in ("accept", "start_investigation", "submit_review"):
        response = await client.post(path, json={"action": action}, headers=worker)
        assert response.status_code == 200, response.text
    officer = await login_staff(client, "flow-officer", "district_officer", "510115000000")
    officer_id = await staff_id(client, officer)

    result = subprocess.run(  # noqa: ASYNC221 - the script must finish before the reads below
        [sys.executable, "-c", SCRIPT, str(application_id), str(officer_id)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": "approved", "routers": []}

    found = (await client.get("/staff/households", params={"q": person}, headers=worker)).json()
    assert [(i["category"], i["head"]["name"]) for i in found["items"]] == [("dibao", "孙九")]
    case = (await client.get(f"/staff/applications/{application_id}", headers=officer)).json()
    notes = [e["note"] for e in case["events"] if e["action"] == "approve"]
    assert len(notes) == 1 and "已纳入监测家庭" in notes[0]


async def test_only_a_procedure_approves_without_a_registry_decision(
    client: httpx.AsyncClient,
) -> None:
    """Approval without enrolment is the statutory procedure's path for aid given once; a case
    not under a procedure is refused (its approval must name a registry decision) and stays in
    review, with nobody enrolled."""
    resident = await login_resident(client, "once-applicant")
    submitted = await client.post(
        "/applications",
        json=application_body(subject={"name": "钱十", "id_number": id_number()}),
        headers=resident,
    )
    application_id = submitted.json()["id"]
    worker = await login_staff(client, "once-worker", "street_officer", "510115001000")
    path = f"/staff/applications/{application_id}/transitions"
    for action in ("accept", "start_investigation", "submit_review"):
        response = await client.post(path, json={"action": action}, headers=worker)
        assert response.status_code == 200, response.text
    officer = await login_staff(client, "once-officer", "district_officer", "510115000000")
    actor = Actor("staff", await staff_id(client, officer), "district_officer", "510115000000")

    with pytest.raises(InvalidTransition) as refused:
        async with session_scope() as session:
            await flows.approve_without_enrolment(session, actor, application_id, note="一次性")
    assert (refused.value.status, refused.value.code) == (409, "decision_required")

    case = (await client.get(f"/staff/applications/{application_id}", headers=officer)).json()
    assert (case["status"], case["decision"]) == ("reviewing", None)
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(Household)) == 0
